/** The {@code ember} commands. */
module dev.ember.cli {
    requires dev.ember.train;
    requires dev.ember.llm;
    requires com.google.gson; // evaluate --json
    requires dev.ember.studio;
    requires dev.ember.serve;
    requires info.picocli;
    requires java.management; // launch: the cores per rank

    opens dev.ember.cli to info.picocli; // picocli reads the commands' annotated fields
}
