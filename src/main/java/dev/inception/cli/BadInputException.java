package dev.inception.cli;

/** An input (image or weights file) could not be read; the CLI exits with code 3. */
public class BadInputException extends RuntimeException {
    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
