/** The {@code ember} commands. */
module dev.ember.cli {
    requires dev.ember.train;
    requires dev.ember.studio;
    requires info.picocli;

    opens dev.ember.cli to info.picocli; // picocli reads the commands' annotated fields
}
