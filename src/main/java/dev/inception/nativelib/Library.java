package dev.inception.nativelib;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A CUDA library found on this machine.
 *
 * @param soname  what was looked for, e.g. "libcudnn.so.9"
 * @param path    where it was found
 * @param version the version from the real file name behind the soname link (libcudnn.so.9.1.0 -> "9.1.0"), or the
 *                soname's major version when the file name has no more
 * @param bridged whether the JNI library reaches it through this project's bridge (cuDNN 9, cuBLAS 13)
 */
public record Library(String soname, Path path, String version, boolean bridged) {

    public static Library at(String soname, Path path, boolean bridged) {
        return new Library(soname, path, versionOf(soname, path), bridged);
    }

    static String versionOf(String soname, Path path) {
        String real;
        try {
            real = path.toRealPath().getFileName().toString();
        } catch (IOException e) {
            real = path.getFileName().toString();
        }
        String base = soname.substring(0, soname.indexOf(".so") + 3);
        if (real.startsWith(base + ".") && real.length() > base.length() + 1) {
            return real.substring(base.length() + 1);
        }
        return soname.substring(soname.lastIndexOf('.') + 1);
    }

    public String route() {
        return bridged ? "bridged" : "native";
    }
}
