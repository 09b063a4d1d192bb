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
import java.util.Locale;
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

    @Override
    public Integer call() {
        // through picocli's writer, like every other command, so that callers of Main.run capture it
        print(InceptionV3.build(model.toOptions()), spec.commandLine().getOut());
        return Main.OK;
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
