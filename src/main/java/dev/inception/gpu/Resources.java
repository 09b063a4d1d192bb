package dev.inception.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Native resources released together, in reverse order of acquisition (a stream after the buffers its copies
 * used, a context last). A release that fails does not stop the others: one failure must not leak the rest.
 */
final class Resources implements AutoCloseable {

    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Takes ownership of r and returns it. */
    <T extends AutoCloseable> T own(T r) {
        owned.add(r);
        return r;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // keep releasing the rest
            }
        }
        owned.clear();
    }
}
