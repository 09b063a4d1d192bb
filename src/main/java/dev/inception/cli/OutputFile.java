package dev.inception.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Output files and folders, so that no work is lost: checked before any work starts (a missing folder, a directory
 * in the way, an unwritable folder; for an output folder, anything already in it), and written whole or not at all
 * (a temporary file or folder beside the target, then a rename: an interrupted run never leaves a half-written
 * output, and a failed one leaves the old file as it was).
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
        if (Files.isDirectory(out.toAbsolutePath())) {
            throw new UsageException(option + " " + out + " is a directory; name a file");
        }
        checkParent(out, option);
    }

    /** The folder an output goes in: there, and writable. */
    private static void checkParent(Path out, String option) {
        Path dir = out.toAbsolutePath().getParent();
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

    /**
     * A folder to write whole ({@link #writeFolder}): it may not exist yet, or be empty; a file or a folder with
     * anything in it is refused (nothing of the user's is overwritten or mixed in).
     */
    static void checkFolder(Path out, String option) throws IOException {
        Path abs = out.toAbsolutePath();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new UsageException(option + " " + out + " is a file; name a new folder");
            }
            try (java.util.stream.Stream<Path> in = Files.list(abs)) {
                if (in.findAny().isPresent()) {
                    throw new UsageException(option + " " + out + " is a folder with files in it; name a new folder"
                            + " or delete it");
                }
            }
        }
        checkParent(out, option);
    }

    /**
     * Writes a folder whole or not at all: into a temporary folder beside it, renamed into place when complete (an
     * empty folder already there is replaced); a failed or interrupted run leaves no partial folder under the name.
     */
    static void writeFolder(Path out, Writer writer) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".part");
        try {
            writer.write(tmp);
            Files.deleteIfExists(abs);   // only ever empty here: checkFolder refused anything else
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                try (java.util.stream.Stream<Path> all = Files.walk(tmp)) {
                    for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
