package dev.inception.cli;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Node;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "summary", mixinStandardHelpOptions = true,
        header = "Print the model like Keras's model.summary(), with multiply-adds and arena size.",
        description = {"Print the model like Keras's model.summary(): every layer, its output shape and parameters,",
                "the totals, multiply-adds per image, and the activation arena the plan needs."})
final class SummaryCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @picocli.CommandLine.Option(names = "--json", description = "Print the layers, totals and plans as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        // through picocli's writer, like every other command, so that callers of Main.run capture it
        Graph g = InceptionV3.build(model.toOptions());
        if (json) {
            spec.commandLine().getOut().println(new com.google.gson.GsonBuilder().setPrettyPrinting().create()
                    .toJson(json(g)));
        } else {
            print(g, spec.commandLine().getOut());
        }
        return Main.OK;
    }

    /** What {@link #print} prints, as one object: the layers in order, with shapes as [h, w, c] or [c]. */
    static Map<String, Object> json(Graph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", g.name());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", n.name());
            l.put("class", n.op().kerasClass());
            l.put("output_shape", n.shape().flat() ? List.of(n.shape().channels())
                    : List.of(n.shape().height(), n.shape().width(), n.shape().channels()));
            l.put("params", n.weights().stream().mapToLong(w -> w.size()).sum());
            l.put("inputs", n.inputs().stream().map(Node::name).toList());
            layers.add(l);
        }
        m.put("layers", layers);
        m.put("total_params", g.params());
        m.put("trainable_params", g.trainableParams());
        m.put("non_trainable_params", g.nonTrainableParams());
        m.put("multiply_adds_per_image", g.multiplyAdds());
        Map<String, Object> plans = new LinkedHashMap<>();
        for (Lowering lowering : Lowering.values()) {
            Plan p = Planner.lower(g, lowering);
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("steps", p.steps().size());
            plan.put("arena_bytes_per_image", p.arenaBytesPerImage());
            plan.put("unshared_bytes_per_image", p.unsharedElements() * 4);
            plans.put(lowering.name().toLowerCase(Locale.ROOT), plan);
        }
        m.put("plans", plans);
        return m;
    }

    static void print(Graph g, PrintWriter out) {
        String rule = "_".repeat(132);
        out.println("Model: \"" + g.name() + "\"");
        out.println(rule);
        out.printf("%-50s %-24s %10s   %s%n", "Layer (type)", "Output Shape", "Param #", "Connected to");
        out.println("=".repeat(132));
        for (Node n : g.nodes()) {
            long params = n.weights().stream().mapToLong(w -> w.size()).sum();
            String inputs = n.inputs().stream().map(Node::name).collect(Collectors.joining(", "));
            out.printf("%-50s %-24s %10d   %s%n", n.name() + " (" + n.op().kerasClass() + ")", n.shape(), params,
                    inputs);
        }
        out.println("=".repeat(132));
        out.printf(Locale.ROOT, "Total params: %,d%n", g.params());
        out.printf(Locale.ROOT, "Trainable params: %,d%n", g.trainableParams());
        out.printf(Locale.ROOT, "Non-trainable params: %,d%n", g.nonTrainableParams());
        out.println(rule);
        out.printf(Locale.ROOT, "Multiply-adds per image: %,d (%.2f G)%n", g.multiplyAdds(), g.multiplyAdds() / 1e9);
        for (Lowering l : Lowering.values()) {
            Plan p = Planner.lower(g, l);
            out.printf(Locale.ROOT, "Activation arena per image, %s plan: %.1f MiB in %d steps (%.1f MiB without reuse)%n",
                    l.name().toLowerCase(Locale.ROOT), p.arenaBytesPerImage() / 1048576.0, p.steps().size(),
                    p.unsharedElements() * 4 / 1048576.0);
        }
    }
}
