package dev.inception.cli;

import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.image.ImageDecoder;
import dev.inception.image.Interpolation;
import dev.inception.imagenet.Labels;
import dev.inception.model.InceptionV3;
import dev.inception.serve.InferenceServer;
import dev.inception.serve.ServedModel;
import dev.inception.serve.ServerMetrics;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Serve the network over HTTP: KServe v2 (Triton's REST protocol), dynamic batching, Prometheus.",
        description = {"Run an inference server. Clients send one image (or a few) per request; the server queues",
                "them and runs batches: each instance takes the first image waiting, then waits up to",
                "--max-delay-ms for the images already on their way (requests being read or decoded), up to",
                "--max-batch, and answers every request with its own rows. When the queue (--queue images) is",
                "full, requests get 503 with Retry-After at once, so latency stays bounded. Images are decoded",
                "and resized on a pool of --workers threads, off the batchers. On a small CPU --max-batch 1 is",
                "faster (docs/PERFORMANCE.md); batching pays on GPUs and many-core CPUs.",
                "",
                "Endpoints (KServe v2 / Open Inference Protocol, REST, as Triton serves it):",
                "  GET  /v2/health/live, /v2/health/ready, /v2/models/{name}/ready",
                "  GET  /v2, /v2/models/{name}          metadata: inputs, outputs, shapes, datatypes",
                "  POST /v2/models/{name}/infer          FP32 [N,299,299,3] preprocessed (x/127.5 - 1), or BYTES [N]",
                "                                        of encoded images (base64 in JSON, or Triton's binary",
                "                                        extension); parameters.top_k adds a top_k output",
                "  POST /v1/classify?top=5               the raw image as the body; predict --json's answer",
                "  GET  /metrics                         Prometheus: requests, latency, queue, batch sizes, images/s",
                "Models: inception_v3, and with --head a second one named after the head's file.",
                "",
                "SIGTERM (Ctrl-C) stops gracefully: no new requests, queued batches finish, engines close.",
                "Exit codes: 0 stopped, 1 failure, 2 usage, 3 unreadable weights or head."},
        footer = {"", "Examples:",
                "  inception serve --backend cpu --max-batch 16 --max-delay-ms 5",
                "  curl --data-binary @examples/chelsea.png 'http://127.0.0.1:8000/v1/classify?top=3'",
                "  curl -s http://127.0.0.1:8000/v2/models/inception_v3 | python3 -m json.tool",
                "  bench/serve-load.sh      # latency and throughput at 1..128 clients, batching on and off"})
final class ServeCommand implements Callable<Integer> {

    /** The ImageNet model's name in URLs. */
    static final String MODEL = "inception_v3";

    @Spec
    CommandSpec spec;

    @Mixin
    WeightsOption weights;

    @Mixin
    BackendOption backend;

    @Mixin
    GpuOption gpu;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}, as Triton; 0 picks a free one).")
    int port;

    @Option(names = "--max-batch", defaultValue = "32", paramLabel = "N",
            description = "Largest batch an instance runs (default: ${DEFAULT-VALUE}; 1 turns batching off).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "5", paramLabel = "MS",
            description = "How long a batch waits for images on their way after its first (default: ${DEFAULT-VALUE}).")
    double maxDelayMs;

    @Option(names = "--queue", defaultValue = "256", paramLabel = "N",
            description = "Images waiting before requests get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--instances", defaultValue = "1", paramLabel = "N",
            description = "Engines per model, each running its own batches (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--devices", split = ",", paramLabel = "N[,N...]",
            description = "GPUs to use, one engine each (instead of --instances and --device).")
    List<Integer> devices;

    @Option(names = "--workers", paramLabel = "N",
            description = "Threads decoding and resizing images (default: the number of cores).")
    Integer workers;

    @Option(names = "--head", paramLabel = "HEAD.h5",
            description = "Also serve a head from 'inception train-head', as a model named after the file.")
    Path head;

    @Option(names = "--max-body-mb", defaultValue = "64", paramLabel = "MB",
            description = "Largest request body (default: ${DEFAULT-VALUE}); larger ones get 413.")
    int maxBodyMb;

    @Option(names = "--max-megapixels", defaultValue = "40", paramLabel = "MP",
            description = "Largest image, by its header, before any decoding (default: ${DEFAULT-VALUE}); larger ones"
                    + " get 400. A few hundred bytes of PNG can declare 100 megapixels.")
    double maxMegapixels;

    /** for encoded images; KServe FP32 tensors come at the input size already */
    @Mixin
    ResizeOption resize;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        try {
            return serve();
        } catch (LinkageError e) {
            throw new IllegalStateException("serve needs its HTTP and metrics libraries (Javalin, Jetty, Micrometer),"
                    + " which this installation lacks (" + e.getMessage() + "): the offline GPU bundle leaves them"
                    + " out to stay under the device's 64 MiB; run serve from a full build (mvn -B package)", e);
        }
    }

    private int serve() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Interpolation how = resize.how();
        if (maxBatch < 1 || maxDelayMs < 0 || !Double.isFinite(maxDelayMs) || queue < maxBatch || instances < 1
                || maxBodyMb < 1 || !(maxMegapixels > 0) || maxMegapixels > ImageDecoder.MAX_PIXELS / 1e6 || port < 0 || port > 65535 || workers != null && workers < 1) {
            throw new UsageException("--max-batch, --instances, --workers and --max-body-mb must be at least 1,"
                    + " --max-delay-ms at least 0, --queue at least --max-batch, --max-megapixels above 0 and at most "
                    + ImageDecoder.MAX_PIXELS / 1_000_000 + ", --port 0..65535");
        }
        if (devices != null && (devices.isEmpty() || devices.stream().anyMatch(d -> d < 0))) {
            throw new UsageException("--devices takes GPU ordinals, e.g. 0,1");
        }
        // a queued image is at most a client's preprocessed floats (decoded ones wait as bytes, a quarter of that), the
        // ImageNet model's the largest: the queue must fit the heap with room to spare
        InceptionV3.Options imagenet = InceptionV3.Options.defaults();
        long imageBytes = (long) imagenet.height() * imagenet.width() * 3 * Float.BYTES;
        long queueBytes = queue * imageBytes;
        long heap = Runtime.getRuntime().maxMemory();
        if (queueBytes > heap / 2) {
            throw new UsageException(String.format(Locale.ROOT, "--queue %d holds %d MiB of preprocessed images, more"
                    + " than half the Java heap (%d MiB): use --queue %d or less, or give Java more heap, e.g."
                    + " INCEPTION_JAVA_OPTS=-Xmx%dg", queue, queueBytes >> 20, heap >> 20,
                    heap / 2 / imageBytes, (2 * queueBytes >> 30) + 1));
        }
        SoftmaxHead newHead = head == null ? null : SoftmaxHead.load(head, 2048);
        ServedModel.Batching batching = new ServedModel.Batching(maxBatch, Math.round(maxDelayMs * 1000), queue);
        ServerMetrics metrics = new ServerMetrics();
        List<ServedModel> models = new ArrayList<>();
        try {
            models.add(ServedModel.classifier(MODEL, engines(imagenet, err), Labels.imagenet(), batching, metrics));
            if (newHead != null) {
                InceptionV3.Options features = InceptionV3.Options.features(Sizes.height(newHead.inputSize()),
                        Sizes.width(newHead.inputSize()));
                models.add(ServedModel.head(headName(head), engines(features, err), newHead, batching, metrics));
            }
        } catch (RuntimeException e) {
            models.forEach(ServedModel::close);
            throw e;
        }
        int threads = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        InferenceServer server = new InferenceServer(models, new InferenceServer.Options(host, port,
                (long) maxBodyMb << 20, Math.round(maxMegapixels * 1e6), threads, how), metrics);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("serve: stopping: finishing queued requests, then closing the engines");
            err.flush();
            server.close();
            stopped.countDown();
        }, "serve-shutdown"));
        int bound = server.start();
        ServedModel first = models.get(0);
        err.printf(Locale.ROOT, "serve: http://%s:%d  backend %s, %d instance%s per model; models %s; batches of up"
                        + " to %d images, %.1f ms delay, queue %d; %d preprocessing threads%n", host, bound,
                first.backend(), first.instances(), first.instances() == 1 ? "" : "s",
                models.stream().map(ServedModel::name).toList(), maxBatch, maxDelayMs, queue, threads);
        if (first.backend().equals("gpu")) {
            err.printf(Locale.ROOT, "serve: GPU batches run at sizes %s (padded), each warmed up at start"
                    + " (algorithms measured, CUDA graph captured) in %.1f s%n", ServedModel.buckets(maxBatch),
                    models.stream().mapToDouble(ServedModel::warmupSeconds).sum());
        }
        err.flush();
        stopped.await();
        return Main.OK;
    }

    /** One engine per instance, or per device with --devices. */
    private List<InceptionV3Engine> engines(InceptionV3.Options model, PrintWriter err) {
        Weights w = weights.resolve(InceptionV3.build(model), err);
        EngineOptions base = gpu.apply(backend.apply(EngineOptions.defaults().withModel(model))).withMaxBatch(maxBatch);
        List<InceptionV3Engine> engines = new ArrayList<>();
        try {
            if (devices != null) {
                for (int d : devices) {
                    engines.add(InceptionV3Engine.open(w, base.withDevice(d), err::println));
                }
            } else {
                for (int i = 0; i < instances; i++) {
                    engines.add(InceptionV3Engine.open(w, base, err::println));
                }
            }
        } catch (RuntimeException e) {
            engines.forEach(InceptionV3Engine::close);
            throw e;
        }
        return engines;
    }

    /** The head's model name: its file name without .h5, in the characters a URL path keeps as is. */
    static String headName(Path head) {
        String n = head.getFileName().toString().replaceFirst("\\.h5$", "");
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
