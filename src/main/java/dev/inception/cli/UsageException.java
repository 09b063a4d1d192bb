package dev.inception.cli;

/** A command line that asks for something impossible, found while running: exit code 2, like picocli's own. */
final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
        super(message);
    }
}
