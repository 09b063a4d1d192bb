package dev.inception.transfer;

import dev.inception.InceptionV3Engine;
import dev.inception.image.DecodeAhead;
import dev.inception.image.Interpolation;
import dev.inception.model.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the frozen network over an image folder, in batches, and collects the bottleneck features. Unreadable
 * images are reported through {@code problems} and left out, never silently.
 */
public final class FeatureExtractor {

    private FeatureExtractor() {
    }

    /**
     * @param decodeThreads threads decoding the next batch while the network runs ({@code DecodeAhead.threadsFor})
     * @param progress receives the number of images processed so far after each batch
     * @param problems receives one line per unreadable image
     */
    public static FeatureSet extract(InceptionV3Engine engine, ImageFolder data, int batch, Interpolation how,
                                     int decodeThreads, Consumer<Integer> progress, Consumer<String> problems) {
        Shape in = engine.graph().input().shape();
        List<float[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Boolean> validation = new ArrayList<>();
        List<String> files = new ArrayList<>();
        int done = 0;
        // the next batch is decoded while the network runs on this one
        try (DecodeAhead<ImageFolder.Sample> ahead = new DecodeAhead<>(data.samples(), ImageFolder.Sample::file,
                batch, DecodeAhead.resizingTo(in.height(), in.width(), how), decodeThreads)) {
            while (ahead.hasNext()) {
                List<DecodeAhead.Item<ImageFolder.Sample>> items = ahead.next();
                items.stream().filter(i -> i.error() != null)
                        .forEach(i -> problems.accept("skipped: " + i.error().getMessage()));
                DecodeAhead.Decoded<ImageFolder.Sample> decoded = DecodeAhead.Decoded.of(items);
                List<ImageFolder.Sample> ok = decoded.sources();
                if (!ok.isEmpty()) {
                    // as uint8 pixels, preprocessed by the executor (on the GPU: a quarter of the float upload)
                    float[][] f = engine.featuresLater(decoded.images(), how).get();
                    for (int i = 0; i < ok.size(); i++) {
                        features.add(f[i]);
                        labels.add(ok.get(i).label());
                        validation.add(ok.get(i).validation());
                        files.add(ok.get(i).file().toString());
                    }
                }
                done += items.size();
                progress.accept(done);
            }
        }
        boolean[] val = new boolean[validation.size()];
        for (int i = 0; i < val.length; i++) {
            val[i] = validation.get(i);
        }
        return new FeatureSet(features.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray(),
                val, data.classNames(), files, "", in.height() + "x" + in.width());
    }
}
