package dualwan.linux;

import java.io.IOException;
import java.util.List;

/** Runs one program with an argument list — never through a shell, so no config text is ever parsed as a command. */
public interface CommandRunner {

    Result run(List<String> argv) throws IOException;

    /** Runs with {@code input} on standard input (e.g. an {@code nft -f -} script). */
    default Result run(List<String> argv, String input) throws IOException {
        throw new UnsupportedOperationException("this runner cannot feed standard input: " + argv);
    }

    record Result(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }
    }
}
