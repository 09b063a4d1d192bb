package dev.inception.cli;

import dev.inception.BatchMemory;
import dev.inception.UnsupportedPrecisionException;

import dev.inception.weights.WeightsFileException;
import dev.inception.weights.WeightsMismatchException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine.Command;

/** The `inception` command line: a thin layer over the engine API. */
@Command(name = "inception", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"InceptionV3 inference from Java: a CPU reference executor and a GPU executor over one plan.",
                "", "Run 'inception COMMAND --help' for the options of a command."},
        subcommands = {PredictCommand.class, InfoCommand.class, SmokeCommand.class, SummaryCommand.class, BenchCommand.class,
                VerifyCommand.class, ReportCommand.class, DatasetCommand.class, FeaturesCommand.class, TrainHeadCommand.class, SeededWeightsCommand.class, ProfileCommand.class, ServeCommand.class, LoadCommand.class, SparkCommand.class, CommandLine.HelpCommand.class})
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
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs one command line with the given streams; returns the exit code. Never calls System.exit. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = parser(new Main());
        cli.setOut(out);
        cli.setErr(err);
        // a bad option is one line and the way to the help, not the whole help text after the message
        cli.setParameterExceptionHandler((e, parsedArgs) -> {
            PrintWriter w = e.getCommandLine().getErr();
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(w);
            }
            CommandLine where = e.getCommandLine();
            String command = where.getParent() == null ? "inception" : "inception " + where.getCommandName();
            String didYouMean = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
            w.println("error: " + e.getMessage() + didYouMean + " (see: " + command + " --help)");
            w.flush();
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("error: " + firstLine(e.getMessage()));
            cmd.getErr().flush();
            return exitCode(e);
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands Errors through; a batch too large for the heap is a one-line answer, not a stack trace
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(err);
            }
            err.println("error: out of memory (" + e.getMessage() + "): use a smaller --batch or --input-size, or give"
                    + " Java more heap, e.g. INCEPTION_JAVA_OPTS=-Xmx8g (now at most "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); results printed so far are complete");
            code = FAILURE;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * An error is one line: a message of several (Spark's stage failures carry the executor's stack trace in theirs)
     * is cut after its first, which says what failed; --verbose prints all of it with the trace.
     */
    static String firstLine(String message) {
        if (message == null) {
            return "(no message; run with --verbose for the stack trace)";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end).stripTrailing() + " (the rest with --verbose)";
    }

    /** How every command line is parsed; the options' fuzz test parses with the same settings. */
    static CommandLine parser(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setUsageHelpWidth(120);   // the descriptions are written for 120 columns
        // picocli would read "@name" as a file of more arguments: an image called @cat.jpg would be read as text,
        // and "--batch @/" ended in a stack trace (found by OptionsFuzzTest). Arguments are taken as given
        cli.setExpandAtFiles(false);
        return cli;
    }

    /** Unreadable input (image or weights file) is 3; an impossible request 2; everything else that fails 1. */
    static int exitCode(Throwable e) {
        if (e instanceof UsageException || e instanceof BatchMemory.TooLargeException
                || e instanceof UnsupportedPrecisionException) {
            return USAGE;
        }
        return e instanceof BadInputException || e instanceof WeightsFileException
                || e instanceof WeightsMismatchException ? BAD_INPUT : FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"inception " + (v != null ? v : "(development build)")};
        }
    }
}
