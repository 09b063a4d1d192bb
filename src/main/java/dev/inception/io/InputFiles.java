package dev.inception.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first check of every file a user names as input (weights, images, features, heads, bench results): what is
 * wrong with it, in the words a user needs. Without it the libraries below answer "no such file" for a directory,
 * read /dev/zero until the heap is gone, or say "Can't create cache file!" for a file without read permission.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /** Null when {@code file} is a readable regular file; otherwise what is wrong, to follow the file's name. */
    public static String problem(Path file) {
        if (!Files.exists(file)) {
            return "no such file";
        }
        if (Files.isDirectory(file)) {
            return "is a directory, not a file";
        }
        if (!Files.isRegularFile(file)) {
            return "is not a regular file (a device, pipe or socket); give a file";
        }
        if (!Files.isReadable(file)) {
            return "permission denied (check the file's mode and owner)";
        }
        return null;
    }
}
