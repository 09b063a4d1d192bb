package dev.inception.gpu;

/** A GPU call failed; the message names the call and the library's own explanation. */
public class GpuException extends RuntimeException {
    public GpuException(String message) {
        super(message);
    }

    public GpuException(String message, Throwable cause) {
        super(message, cause);
    }
}
