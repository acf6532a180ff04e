/** A library user's application: it reads Ember's nn module, which brings the core with it. */
module dev.ember.example.consumer {
    requires dev.ember.nn;
}
