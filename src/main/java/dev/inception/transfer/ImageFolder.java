package dev.inception.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A labelled image set laid out as Keras's image_dataset_from_directory expects: DIR/&lt;class name&gt;/*.png|jpg|...
 * Classes are the sub-folders in alphanumeric order; files are sorted, then shuffled with the seed, and the last
 * {@code valSplit} fraction is the validation set, so a split is the same on every machine.
 */
public record ImageFolder(List<String> classNames, List<Sample> samples) {

    public record Sample(Path file, int label, boolean validation) {
    }

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    public static ImageFolder scan(Path dir, double valSplit, long seed) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory (expected DIR/<class name>/<images>)");
        }
        if (valSplit < 0 || valSplit >= 1) {
            throw new IllegalArgumentException("--val-split must be in [0, 1), got " + valSplit);
        }
        List<String> classes;
        try (Stream<Path> s = Files.list(dir)) {
            classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (classes.size() < 2) {
            throw new IOException(dir + " has " + classes.size() + " class folder(s); a classifier needs at least 2");
        }
        List<Sample> all = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            try (Stream<Path> s = Files.list(dir.resolve(classes.get(c)))) {
                final int label = c;
                s.filter(ImageFolder::isImage).sorted().forEach(p -> all.add(new Sample(p, label, false)));
            }
        }
        if (all.isEmpty()) {
            throw new IOException("no images (" + String.join(", ", EXTENSIONS) + ") under " + dir);
        }
        shuffle(all, seed);
        int val = validationCount(all.size(), valSplit);
        List<Sample> split = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Sample s = all.get(i);
            split.add(new Sample(s.file(), s.label(), i >= all.size() - val));
        }
        return new ImageFolder(classes, split);
    }

    /**
     * The split's shuffle: Fisher-Yates with {@code SplittableRandom(seed)} over the samples sorted by class, then
     * file. Anything that must split the same way (the Spark job's features) shuffles with this.
     */
    public static <T> void shuffle(List<T> sorted, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = sorted.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = sorted.get(i);
            sorted.set(i, sorted.get(j));
            sorted.set(j, t);
        }
    }

    /** How many of the shuffled samples, from the end, are held out. */
    public static int validationCount(int samples, double valSplit) {
        return (int) Math.round(samples * valSplit);
    }

    /**
     * The image files under a folder, at any depth, in path order: what {@code predict FOLDER} classifies. Files
     * of other kinds are passed over, as {@link #scan} passes them over.
     */
    public static List<Path> imagesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(ImageFolder::isImage).sorted().toList();
        }
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
