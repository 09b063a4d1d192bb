package dev.inception.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Output files, so that no work is lost: checked before any work starts (a missing folder, a directory in the
 * way, an unwritable folder), and written whole or not at all (a temporary file beside the target, then a rename:
 * an interrupted run never leaves a half-written file, and a failed one leaves the old file as it was).
 */
final class OutputFile {

    /** Writes the file at the given (temporary) path. */
    interface Writer {
        void write(Path file) throws IOException;
    }

    private OutputFile() {
    }

    /** @throws UsageException naming the option, when the file could not be written there */
    static void check(Path out, String option) {
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new UsageException(option + " " + out + " is a directory; name a file");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException(option + " " + out + ": no folder " + dir + "; create it first");
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException(option + " " + out + ": cannot write in " + dir + " (permission denied)");
        }
    }

    static void write(Path out, Writer writer) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".part");
        try {
            writer.write(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
