package dev.inception.onednn;

import dev.inception.BackendUnavailableException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads oneDNN's natives (libdnnl, its libgomp and the JavaCPP bridge, from the org.bytedeco:dnnl linux-x86_64 jar)
 * once per JVM, or explains why they cannot load: another OS or architecture, a bundle built without them, a
 * missing system library. The outcome is remembered, as native libraries cannot be unloaded.
 */
public final class OneDnn {

    private static String version;
    private static BackendUnavailableException failure;

    private OneDnn() {
    }

    /** @return oneDNN's version, e.g. "3.11.0" */
    public static synchronized String load() {
        if (version != null) {
            return version;
        }
        if (failure != null) {
            throw failure;
        }
        String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        try {
            if (!os.startsWith("Linux/") || !(os.endsWith("amd64") || os.endsWith("x86_64"))) {
                throw new BackendUnavailableException("oneDNN's natives are bundled for Linux x86_64 only (this is " + os
                        + ")");
            }
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            org.bytedeco.dnnl.dnnl_version_t v = org.bytedeco.dnnl.global.dnnl.dnnl_version();
            version = v.major() + "." + v.minor() + "." + v.patch();
            return version;
        } catch (BackendUnavailableException e) {
            failure = e;
            throw e;
        } catch (LinkageError | RuntimeException e) {
            // NoClassDefFoundError: a build or bundle without the dnnl jars; UnsatisfiedLinkError: natives that
            // cannot load here
            failure = new BackendUnavailableException("oneDNN cannot load: " + firstLine(e) + " (the reference"
                    + " executor needs no native library: --backend reference)", e);
            throw failure;
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
