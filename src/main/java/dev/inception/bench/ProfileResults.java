package dev.inception.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The JSON that {@code inception profile --json} writes, read back for {@code inception report}: each run's slowest
 * steps as a Markdown table, with their roofline bounds where the run had them, so that a GPU run's report shows
 * where its time went beside its benchmarks (issue #15 asks for the profile of the slowest layers).
 */
public final class ProfileResults {

    /** One step's median time, its roofline bound (null where the run had none) and what ran it. */
    public record Step(String step, double milliseconds, Double boundMilliseconds, String implementation) {
    }

    /**
     * One profile run.
     *
     * @param what      "gpu fp16 fused, batch 256"
     * @param totalMs   the sum of the steps' medians
     * @param forwardMs a whole pass as bench times it
     * @param boundMs   the sum of the steps' roofline bounds; null where the run had none
     */
    public record Profile(String file, String what, double totalMs, double forwardMs, Double boundMs,
                          List<Step> steps) {
    }

    private ProfileResults() {
    }

    /** Whether a file is a profile's JSON: an object with "steps" and "forward_ms" (bench's results have neither). */
    public static boolean is(Path file) throws IOException {
        JsonElement root = parse(file);
        return root.isJsonObject() && root.getAsJsonObject().has("steps")
                && root.getAsJsonObject().has("forward_ms");
    }

    public static Profile read(Path file) throws IOException {
        JsonObject o = parse(file).getAsJsonObject();
        try {
            List<Step> steps = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("steps")) {
                JsonObject s = e.getAsJsonObject();
                steps.add(new Step(s.get("step").getAsString(), s.get("milliseconds").getAsDouble(),
                        s.has("boundMilliseconds") ? s.get("boundMilliseconds").getAsDouble() : null,
                        s.has("implementation") ? s.get("implementation").getAsString() : ""));
            }
            JsonObject roofline = o.has("roofline") ? o.getAsJsonObject("roofline") : null;
            String what = o.get("backend").getAsString() + " " + o.get("precision").getAsString() + " "
                    + o.get("plan").getAsString() + ", batch " + o.get("batch").getAsInt();
            return new Profile(file.getFileName().toString(), what, o.get("total_ms").getAsDouble(),
                    o.get("forward_ms").getAsDouble(), roofline == null ? null : roofline.get("bound_ms").getAsDouble(),
                    steps);
        } catch (RuntimeException e) {
            // a missing field, or one of another type: Gson's NullPointerException, ClassCastException, ...
            throw new IOException(file + " is not a result of 'inception profile --json' (" + e + ")", e);
        }
    }

    private static JsonElement parse(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file));
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not UTF-8 text, so not a JSON result", e);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String bound(Step s) {
        return s.boundMilliseconds() == null || s.milliseconds() <= 0 ? " - | - |" : String.format(Locale.ROOT,
                " %.3f | %.0f%% |", s.boundMilliseconds(), 100 * s.boundMilliseconds() / s.milliseconds());
    }

    /** Each profile's {@code top} slowest steps, with their share of the steps' total and their bounds. */
    public static String markdown(List<Profile> profiles, int top) {
        StringBuilder sb = new StringBuilder();
        for (Profile p : profiles) {
            sb.append(String.format(Locale.ROOT, "%n### %s (%s): steps %.2f ms, a whole pass %.2f ms%s%n%n", p.what(),
                    p.file(), p.totalMs(), p.forwardMs(), p.boundMs() == null ? ""
                            : String.format(Locale.ROOT, ", roofline bound %.2f ms", p.boundMs())));
            boolean bounds = p.boundMs() != null;
            sb.append(bounds ? "| step | ms | share | bound ms | of bound | implementation |\n"
                    + "| --- | --- | --- | --- | --- | --- |\n" : "| step | ms | share | implementation |\n| --- | --- | --- | --- |\n");
            p.steps().stream().sorted(Comparator.comparingDouble(Step::milliseconds).reversed()).limit(top)
                    .forEach(s -> sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.1f%% |%s %s |%n", s.step(),
                            s.milliseconds(), 100 * s.milliseconds() / p.totalMs(), !bounds ? "" : bound(s),
                            s.implementation())));
        }
        return sb.toString();
    }
}
