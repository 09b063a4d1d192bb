package dev.inception.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `inception` command line: a thin layer over the engine API. */
@Command(name = "inception", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"InceptionV3 inference from Java: a CPU reference executor and a GPU executor over one plan.",
                "", "Run 'inception COMMAND --help' for the options of a command."},
        subcommands = {SummaryCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    /** Exit codes shared by every command. */
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int BAD_INPUT = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(t -> FAILURE);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose");
            if (verbose) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("error: " + e.getMessage());
            return e instanceof BadInputException ? BAD_INPUT : FAILURE;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"inception " + (v != null ? v : "(development build)")};
        }
    }
}
