package dev.replicalifecycle.modelcheck;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link ModelCheckMain} in this JVM and keeps what it printed, for the command-line tests. */
abstract class CommandLineTestBase {

    /** What the last {@link #run} printed to standard output and standard error. */
    protected String out;
    protected String err;

    /** @return the command's exit code; its output is echoed and kept in {@link #out}, {@link #err} */
    protected int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = ModelCheckMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        System.out.print(err);
        return code;
    }
}
