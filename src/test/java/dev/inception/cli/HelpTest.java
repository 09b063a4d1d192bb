package dev.inception.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help renders whole: exit 0, its usage on stdout, and nothing from picocli on stderr. A description
 * is a format string to picocli, so a bare percent sign ("14% slower") made it print the raw text with a warning
 * for every option of the command, on the help a user reads first.
 */
class HelpTest {

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        CommandLine root = Main.parser(new Main());
        assertTrue(root.getSubcommands().size() >= 15, root.getSubcommands().keySet().toString());
        PrintStream stderr = System.err;
        for (String name : root.getSubcommands().keySet()) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PredictCommandTest.Run r;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                r = PredictCommandTest.run(name, "--help");
            } finally {
                System.setErr(stderr);
            }
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(r.out().contains("Usage: inception " + name), name + ": " + r.out());
            String warnings = captured.toString(StandardCharsets.UTF_8) + r.err();
            assertFalse(warnings.contains("picocli WARN"), name + ": " + warnings);
        }
    }
}
