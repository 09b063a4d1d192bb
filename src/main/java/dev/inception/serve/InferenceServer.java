package dev.inception.serve;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.image.Interpolation;
import dev.inception.imagenet.Prediction;
import dev.inception.model.Shape;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP front of {@code inception serve} (Javalin on Jetty 12): the KServe v2 REST endpoints, a simple
 * /v1/classify for people, /metrics for Prometheus. Request threads parse; encoded images are decoded and resized
 * on a pool of their own ({@code workers}); each model's dynamic batcher runs the network. Handlers never block on
 * the network: they return a future that the batcher completes.
 */
public final class InferenceServer implements AutoCloseable {

    /** Where and how the server listens. */
    public record Options(String host, int port, long maxBodyBytes, long maxPixels, int workers,
                          Interpolation resize) {

        /**
         * Inference requests admitted at once: what the queues hold plus a few per preprocessing thread. Beyond it a
         * request is refused before its body is parsed or decoded (only read, so that the client gets the 503), so
         * that neither the decode backlog nor latency can grow without bound while the batchers' queues are full.
         */
        int maxInFlight(List<ServedModel> models) {
            return models.stream().mapToInt(ServedModel::queueCapacity).sum() + 4 * workers;
        }
    }

    private static final Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();

    /** How long close() waits for the requests in flight, then for Jetty to write their answers. */
    private static final long SHUTDOWN_MILLIS = 10_000;

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final ServedModel defaultModel;
    private final Options options;
    private final ServerMetrics metrics;
    private final ExecutorService preprocess;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxInFlight;
    private final Javalin app;
    private volatile boolean ready;
    private boolean closed;

    /**
     * @param models  served models, the first also answering /v1/classify; the server owns and closes them
     * @param metrics the registry the models were opened with; the server adds its request metrics
     */
    public InferenceServer(List<ServedModel> models, Options options, ServerMetrics metrics) {
        models.forEach(m -> this.models.put(m.name(), m));
        this.defaultModel = models.get(0);
        this.options = options;
        this.metrics = metrics;
        this.maxInFlight = options.maxInFlight(models);
        metrics.inFlight(inFlight::get);
        this.preprocess = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.jetty.modifyServer(server -> {
                // inFlight drops when a handler hands its answer over, a moment before Jetty has written it; Jetty
                // counts a request as done only once its response is complete, so stop() waits for those bytes too
                // (CI once saw a 503 answered during shutdown lost when the connection closed under it)
                server.setHandler(new GracefulHandler());
                server.setStopTimeout(SHUTDOWN_MILLIS);
            });
            config.routes.get("/v2/health/live", ctx -> json(ctx, 200, Map.of("live", true)));
            config.routes.get("/v2/health/ready", ctx -> json(ctx, ready ? 200 : 503, Map.of("ready", ready)));
            config.routes.get("/v2", ctx -> json(ctx, 200, Map.of("name", "inception", "version",
                    java.util.Objects.toString(InferenceServer.class.getPackage().getImplementationVersion(),
                            "development build"), "extensions", List.of("binary_tensor_data", "classification"))));
            config.routes.get("/v2/models/{name}", ctx -> ctx.contentType("application/json")
                    .result(GSON.toJson(KServeV2.metadata(model(ctx)))));
            config.routes.get("/v2/models/{name}/ready", ctx -> {
                model(ctx);
                json(ctx, ready ? 200 : 503, Map.of("name", ctx.pathParam("name"), "ready", ready));
            });
            config.routes.post("/v2/models/{name}/infer", ctx -> handle(ctx, "infer", () -> infer(ctx)));
            config.routes.post("/v1/classify", ctx -> handle(ctx, "classify", () -> classify(ctx)));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.exception(HttpError.class, (e, ctx) -> json(ctx, e.status(), Map.of("error", e.getMessage())));
            config.routes.error(404, "*", ctx -> {
                if (ctx.result() == null) {
                    json(ctx, 404, Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
        });
    }

    /** Starts listening; returns the port (useful with port 0). */
    public int start() {
        app.start(options.host(), options.port());
        ready = true;
        return app.port();
    }

    private ServedModel model(Context ctx) {
        ServedModel m = models.get(ctx.pathParam("name"));
        if (m == null) {
            throw new HttpError(404, "no model '" + ctx.pathParam("name") + "'; this server has " + models.keySet());
        }
        return m;
    }

    private interface Work {
        CompletableFuture<JsonObject> start() throws Exception;
    }

    /** Runs one inference request to its JSON answer or its error, and records it in the metrics. */
    private void handle(Context ctx, String endpoint, Work work) {
        long start = System.nanoTime();
        CompletableFuture<JsonObject> f;
        RuntimeException refusal = inFlight.incrementAndGet() > maxInFlight
                ? new DynamicBatcher.Overloaded("the server is at capacity (" + maxInFlight + " requests in flight)")
                : !ready ? new HttpError(503, "the server is shutting down") : null;
        if (refusal != null) {
            drain(ctx);
            f = CompletableFuture.failedFuture(refusal);
        } else {
            try {
                f = work.start();
            } catch (Exception | Error e) {
                f = CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<JsonObject> answer = f;
        ctx.future(() -> answer.handle((json, err) -> {
            try {
                if (err == null) {
                    ctx.status(200).contentType("application/json").result(GSON.toJson(json));
                } else {
                    error(ctx, err);
                }
                return null;
            } finally {
                metrics.request(endpoint, ctx.statusCode(), System.nanoTime() - start);
                inFlight.decrementAndGet();
            }
        }));
    }

    /**
     * Reads a refused request's body (bounded by the body limit) without parsing it, so that its 503 is answered
     * only once the client has sent it all: during shutdown the server stops as soon as nothing is in flight, and a
     * client still sending its body then would see a broken pipe instead of the answer that tells it to retry
     * (InferenceServerTest.aRequestArrivingDuringShutdownGetsIts503AfterItsBody).
     */
    private static void drain(Context ctx) {
        try {
            ctx.bodyAsBytes();
        } catch (RuntimeException e) {
            // too large or cut off: the answer is the 503 all the same
        }
    }

    private CompletableFuture<JsonObject> infer(Context ctx) {
        ServedModel m = model(ctx);
        KServeV2.Request r;
        CompletableFuture<float[][]> rows;
        // on its way from admission: its batch-mates wait for it while its body is read and parsed
        m.arriving(1);
        try {
            r = KServeV2.parse(ctx.bodyAsBytes(), ctx.header("Inference-Header-Content-Length"));
            rows = switch (r.input().datatype()) {
                case "FP32" -> m.infer(KServeV2.images(r.input(), m.input()).stream()
                        .<QueuedImage>map(QueuedImage.Floats::new).toList());
                case "BYTES" -> decodeAndInfer(m, KServeV2.encoded(r.input()));
                default -> throw HttpError.badRequest("inputs[0].datatype is " + r.input().datatype()
                        + "; send FP32 [N, " + m.input().height() + ", " + m.input().width() + ", 3] or BYTES [N]");
            };
        } finally {
            m.arriving(-1);
        }
        return rows.thenApply(p -> {
            List<List<Prediction>> top = new ArrayList<>();
            if (r.topK() > 0) {
                for (float[] row : p) {
                    top.add(m.labels().top(row, r.topK()));
                }
            }
            return KServeV2.response(m.name(), r.id(), p, top, r.outputs());
        });
    }

    /** POST /v1/classify: the body is one encoded image; the answer is predict --json's object. */
    private CompletableFuture<JsonObject> classify(Context ctx) {
        ServedModel m = defaultModel;
        int top = 5;
        String t = ctx.queryParam("top");
        if (t != null) {
            try {
                top = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                top = 0;
            }
            if (top < 1) {
                throw HttpError.badRequest("top must be a whole number >= 1, got '" + t + "'");
            }
        }
        int k = top;
        m.arriving(1);
        try {
            byte[] body = ctx.bodyAsBytes();
            if (body.length == 0) {
                throw HttpError.badRequest("send the image file as the request body (curl --data-binary @photo.jpg)");
            }
            return decodeAndInfer(m, List.of(body))
                    .thenApply(p -> Prediction.json("request", m.backend(), m.labels().top(p[0], k)));
        } finally {
            m.arriving(-1);
        }
    }

    /**
     * Decodes, then queues: the model knows these images are on their way from the start of decoding until they
     * are queued (or fail), so that its batcher waits for them and for nothing else.
     */
    private CompletableFuture<float[][]> decodeAndInfer(ServedModel m, List<byte[]> encoded) {
        m.arriving(encoded.size());
        return decode(encoded, m.input()).handle((images, err) -> {
            try {
                return err != null ? CompletableFuture.<float[][]>failedFuture(err) : m.infer(images);
            } catch (RuntimeException e) {
                return CompletableFuture.<float[][]>failedFuture(e);
            } finally {
                m.arriving(-encoded.size());
            }
        }).thenCompose(f -> f);
    }

    /**
     * Decodes and resizes on the preprocessing pool, to pixels at the input size (the executor preprocesses them);
     * a bad image fails its request with 400.
     */
    private CompletableFuture<List<QueuedImage>> decode(List<byte[]> encoded, Shape input) {
        return CompletableFuture.supplyAsync(() -> {
            List<QueuedImage> out = new ArrayList<>();
            for (int i = 0; i < encoded.size(); i++) {
                try {
                    String name = encoded.size() == 1 ? "the image" : "image " + i;
                    out.add(new QueuedImage.Pixels(ImageDecoder.read(encoded.get(i), name, options.maxPixels(),
                            new ImageDecoder.Size(input.width(), input.height(), options.resize()))));
                } catch (ImageDecodeException e) {
                    throw HttpError.badRequest(e.getMessage());
                }
            }
            return out;
        }, preprocess);
    }

    private static void error(Context ctx, Throwable err) {
        Throwable e = err instanceof CompletionException || err instanceof ExecutionException ? err.getCause() : err;
        int status;
        String message = null;
        if (e instanceof HttpError h) {
            status = h.status();
        } else if (e instanceof DynamicBatcher.Overloaded) {
            status = 503;
            ctx.header("Retry-After", "1");
            message = e.getMessage() + "; retry after a second";
        } else if (e instanceof HttpResponseException h) {
            status = h.getStatus();   // Javalin's own: 413 for a body over the limit
        } else {
            status = 500;
        }
        if (message == null) {
            message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        if (status == 413) {
            message = "the request body is larger than this server's limit (--max-body-mb)";
        }
        json(ctx, status, Map.of("error", message));
    }

    private static void json(Context ctx, int status, Map<String, ?> body) {
        ctx.status(status).contentType("application/json").result(GSON.toJson(body));
    }

    /**
     * Graceful stop: not ready any more (new inference requests get 503), every model finishes its queue and
     * closes its engines, the answers in flight are handed over, then the HTTP server stops accepting connections
     * and stops once those answers are written.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        models.values().forEach(ServedModel::close);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_MILLIS);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        preprocess.shutdownNow();
    }
}
