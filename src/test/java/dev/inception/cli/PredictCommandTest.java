package dev.inception.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictCommandTest {

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** predict with this as standard input (tests run one at a time: System.in is restored after). */
    static Run runWithStdin(byte[] stdin, String... args) {
        java.io.InputStream before = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin));
        try {
            return run(args);
        } finally {
            System.setIn(before);
        }
    }

    /**
     * "-" reads one image from standard input: the same classes and probabilities as the file it came from, named
     * "-", beside a file in the same run; empty or unreadable input is that image's error (exit 3, the others still
     * classified); "-" twice is a usage error.
     */
    @Test
    void aDashReadsOneImageFromStandardInput() throws Exception {
        byte[] png = Files.readAllBytes(Path.of("examples/chelsea.png"));
        // the same batch from the files (oneDNN may sum in another order at another batch size)
        Run fromFile = run("predict", "--backend", "cpu", "--json", "examples/chelsea.png", "examples/rocket.jpg");
        Run piped = runWithStdin(png, "predict", "--backend", "cpu", "--json", "-", "examples/rocket.jpg");
        assertEquals(0, piped.code(), piped.err());
        List<String> lines = piped.out().lines().toList();
        assertEquals(2, lines.size(), piped.out());
        JsonObject dash = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        JsonObject file = JsonParser.parseString(fromFile.out().lines().findFirst().orElseThrow()).getAsJsonObject();
        assertEquals("-", dash.get("image").getAsString());
        assertEquals(file.get("top"), dash.get("top"));
        assertTrue(lines.get(1).contains("\"image\":\"examples/rocket.jpg\""), lines.get(1));

        Run empty = runWithStdin(new byte[0], "predict", "--backend", "cpu", "-", "examples/rocket.jpg");
        assertEquals(3, empty.code(), empty.err());
        assertTrue(empty.err().contains("-: standard input is empty"), empty.err());
        assertTrue(empty.out().contains("examples/rocket.jpg"), empty.out());
        Run cut = runWithStdin(Arrays.copyOf(png, 100), "predict", "--backend", "cpu", "-");
        assertEquals(3, cut.code(), cut.err());
        assertTrue(cut.err().contains("- (standard input): truncated or corrupt image"), cut.err());
        Run twice = runWithStdin(png, "predict", "--backend", "cpu", "-", "-");
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("- (standard input) can be given once"), twice.err());
    }

    @Test
    void jsonHasOneLinePerImageWithKSortedEntries() {
        Run r = run("predict", "--backend", "cpu", "--json", "--top", "3", "examples/chelsea.png", "examples/rocket.jpg");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (String line : lines) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            assertEquals("cpu", o.get("backend").getAsString());
            JsonArray top = o.getAsJsonArray("top");
            assertEquals(3, top.size());
            double previous = 1.0;
            for (int i = 0; i < 3; i++) {
                JsonObject e = top.get(i).getAsJsonObject();
                double p = e.get("probability").getAsDouble();
                assertTrue(p <= previous && p >= 0);
                previous = p;
                assertTrue(e.get("wnid").getAsString().startsWith("n"));
                int index = e.get("index").getAsInt();
                assertTrue(index >= 0 && index < 1000);
            }
        }
        assertTrue(lines.get(0).contains("\"image\":\"examples/chelsea.png\""));
    }

    @Test
    void missingImageExits3AndTheOthersAreStillClassified() {
        Run r = run("predict", "--backend", "cpu", "--json", "nowhere.png", "examples/chelsea.png");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("nowhere.png: no such file"), r.err());
        assertEquals(1, r.out().lines().count());
    }

    /**
     * A folder is its images at any depth, in path order (other files passed over), and each is answered as when
     * named alone; a folder without images is bad input while the others are still classified.
     */
    @Test
    void aFolderIsItsImagesInPathOrder() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos/cats"));
        Files.copy(Path.of("examples/chelsea.png"), photos.resolve("b-chelsea.png"));
        Files.copy(Path.of("examples/rocket.jpg"), photos.getParent().resolve("a-rocket.jpg"));
        Files.writeString(photos.resolve("notes.txt"), "not an image, not a candidate");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run folder = run("predict", "--backend", "cpu", "--json", "--top", "2", photos.getParent().toString(),
                empty.toString());
        assertEquals(3, folder.code(), folder.err());
        assertTrue(folder.err().contains(empty + ": no images (PNG, JPEG, BMP, GIF) in this folder"), folder.err());
        Run named = run("predict", "--backend", "cpu", "--json", "--top", "2",
                photos.getParent().resolve("a-rocket.jpg").toString(), photos.resolve("b-chelsea.png").toString());
        assertEquals(0, named.code(), named.err());
        assertEquals(named.out(), folder.out(), "the folder's answers are the named files', in path order");
        assertEquals(2, folder.out().lines().count());
    }

    @Test
    void nonImageAndTruncatedPngExit3() throws Exception {
        Path text = tmp.resolve("text.jpg");
        Files.writeString(text, "not a picture");
        byte[] png = Files.readAllBytes(Path.of("examples/chelsea.png"));
        Path cut = tmp.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(png, 2000));
        Run r = run("predict", "--backend", "cpu", text.toString(), cut.toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("not an image"), r.err());
        assertTrue(r.err().contains("truncated or corrupt"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void corruptWeightsExit3WithOneLine() throws Exception {
        Path w = tmp.resolve("w.h5");
        Files.writeString(w, "garbage");
        Run r = run("predict", "--backend", "cpu", "--weights", w.toString(), "examples/chelsea.png");
        assertEquals(3, r.code());
        assertTrue(r.err().strip().startsWith("error: ") && r.err().contains("not an HDF5 file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run("predict").code());
        assertEquals(2, run("predict", "--top", "x", "a.png").code());
        assertEquals(2, run("no-such-command").code());
        for (String[] args : new String[][] {{"predict", "--decode-threads", "0", "a.png"},
                {"features", "--decode-threads", "257", "--data", "d", "--out", "f.h5"},
                {"bench", "--decode-threads", "-1"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--decode-threads must be between 1 and 256"), r.err());
        }
    }

    /** The decoding threads change when images are decoded, never what is predicted or in which order. */
    @Test
    void decodeThreadsChangeNothingInTheAnswers() {
        String[] images = {"examples/rocket.jpg", "examples/chelsea.png", "examples/coffee.png"};
        Run one = run(concat(new String[] {"predict", "--backend", "cpu", "--json", "--batch", "1",
            "--decode-threads", "1"}, images));
        Run three = run(concat(new String[] {"predict", "--backend", "cpu", "--json", "--batch", "1",
            "--decode-threads", "3"}, images));
        assertEquals(0, one.code(), one.err());
        assertEquals(0, three.code(), three.err());
        assertEquals(3, one.out().lines().count());
        assertEquals(one.out(), three.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void gpuBackendFailsWithExit1AndAReason() {
        Run r = run("predict", "--backend", "gpu", "examples/chelsea.png");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("GPU"), r.err());
    }

    @Test
    void tableOutputNamesTheImageAndRanks() {
        Run r = run("predict", "--backend", "cpu", "--top", "2", "--resize", "bilinear", "examples/coffee.png");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("examples/coffee.png  (cpu)"), r.out());
        assertTrue(r.out().contains(" 1. n") && r.out().contains(" 2. n") && !r.out().contains(" 3. n"), r.out());
    }
}
