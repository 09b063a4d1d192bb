package dev.inception.plan;

import dev.inception.model.Graph;
import dev.inception.model.Node;
import dev.inception.model.Op;
import dev.inception.model.Shape;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Lowers a {@link Graph} to a {@link Plan}: chooses the steps, then places their tensors in the arena. */
public final class Planner {

    private final Graph graph;
    private final Lowering lowering;
    private final List<TensorSpec> tensors = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Integer> layerTensors = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Set<String> fusedAway = new HashSet<>();
    private final ConcatPlacement concats;
    private final boolean concurrentBranches;

    private Planner(Graph graph, Lowering lowering, ConcatPlacement concats, boolean concurrentBranches) {
        this.graph = graph;
        this.lowering = lowering;
        this.concats = concats;
        this.concurrentBranches = concurrentBranches;
        for (Node n : graph.nodes()) {
            for (Node in : n.inputs()) {
                consumers.computeIfAbsent(in.name(), k -> new ArrayList<>()).add(n);
            }
        }
    }

    /**
     * @param keepLayers Keras layer names whose outputs must still be readable after the forward pass (taps);
     *                   the input and the graph's output are always kept
     */
    public static Plan lower(Graph graph, Lowering lowering, Collection<String> keepLayers) {
        return lower(graph, lowering, keepLayers, ConcatPlacement.COPY);
    }

    public static Plan lower(Graph graph, Lowering lowering, Collection<String> keepLayers, ConcatPlacement concats) {
        return lower(graph, lowering, keepLayers, concats, false);
    }

    /**
     * @param concurrentBranches place the arena so that the branches of each outermost mixed block may run at the
     *                           same time (the GPU's branch streams): every tensor a block's branches write, the
     *                           block's input and its output stay alive from the block's first step to its
     *                           concatenation, so no two of them share memory (and each part may be copied into
     *                           the output as soon as its branch is done). Without it a later branch reuses an
     *                           earlier one's memory, which is only safe one step after another. Costs arena space.
     */
    public static Plan lower(Graph graph, Lowering lowering, Collection<String> keepLayers, ConcatPlacement concats,
                             boolean concurrentBranches) {
        return new Planner(graph, lowering, concats, concurrentBranches).lower(keepLayers);
    }

    public static Plan lower(Graph graph, Lowering lowering) {
        return lower(graph, lowering, List.of());
    }

    private Plan lower(Collection<String> keepLayers) {
        Node input = graph.input();
        layerTensors.put(input.name(), newTensor(input.name(), input.shape()));
        for (Node n : graph.nodes()) {
            if (n != input && !fusedAway.contains(n.name())) {
                lowerNode(n);
            }
        }
        int in = layerTensors.get(input.name());
        int out = tensorFor(graph.output());
        Set<Integer> kept = new LinkedHashSet<>(List.of(in, out));
        for (String layer : keepLayers) {
            Integer id = layerTensors.get(layer);
            if (id == null) {
                throw new IllegalArgumentException(graph.has(layer)
                        ? "layer '" + layer + "' has no output of its own in the " + lowering + " plan; use FAITHFUL"
                        : "no layer named '" + layer + "'");
            }
            kept.add(id);
        }
        List<TensorSpec> placed = place(kept);
        return new Plan(lowering, placed, steps, arenaSize(placed), in, out, layerTensors, List.copyOf(kept),
                concurrentBranches);
    }

    private void lowerNode(Node n) {
        Op op = n.op();
        if (op instanceof Op.Conv2D c) {
            lowerConv(n, c);
        } else if (op instanceof Op.BatchNormalization bn) {
            int out = output(n);
            steps.add(new Step.BatchNorm(n.name(), tensorFor(n.inputs().get(0)), out, n.name(), bn.epsilon()));
        } else if (op instanceof Op.Relu) {
            steps.add(new Step.Relu(n.name(), tensorFor(n.inputs().get(0)), output(n)));
        } else if (op instanceof Op.Pooling2D p) {
            Window w = Window.of(n.inputs().get(0).shape(), p.poolRows(), p.poolCols(), p.strideRows(),
                    p.strideCols(), p.padding());
            steps.add(new Step.Pool(n.name(), p.mode(), tensorFor(n.inputs().get(0)), output(n), w));
        } else if (op instanceof Op.Concatenate) {
            List<Integer> parts = n.inputs().stream().map(this::tensorFor).toList();
            steps.add(new Step.Concat(n.name(), parts, output(n)));
        } else if (op instanceof Op.GlobalPooling2D gp) {
            steps.add(new Step.GlobalPool(n.name(), gp.mode(), tensorFor(n.inputs().get(0)), output(n)));
        } else if (op instanceof Op.Dense d) {
            int in = tensorFor(n.inputs().get(0));
            if (d.softmax()) {
                int logits = newTensor(n.name() + "/logits", n.shape());
                steps.add(new Step.Dense(n.name(), in, logits, n.name(), d.units()));
                steps.add(new Step.Softmax(n.name() + "/softmax", logits, output(n)));
            } else {
                steps.add(new Step.Dense(n.name(), in, output(n), n.name(), d.units()));
            }
        } else {
            throw new IllegalArgumentException("cannot lower " + n);
        }
    }

    /** In the fused lowering, Conv2D -> BatchNormalization -> ReLU (each the only consumer) becomes one step. */
    private void lowerConv(Node conv, Op.Conv2D c) {
        Node in = conv.inputs().get(0);
        Window w = Window.of(in.shape(), c.kernelRows(), c.kernelCols(), c.strideRows(), c.strideCols(), c.padding());
        Node bn = soleConsumer(conv, Op.BatchNormalization.class);
        Node relu = bn == null ? null : soleConsumer(bn, Op.Relu.class);
        if (lowering == Lowering.FUSED && relu != null) {
            fusedAway.add(bn.name());
            fusedAway.add(relu.name());
            steps.add(new Step.Conv(conv.name(), tensorFor(in), output(relu), conv.name(), c.filters(), w,
                    bn.name(), true));
        } else {
            steps.add(new Step.Conv(conv.name(), tensorFor(in), output(conv), conv.name(), c.filters(), w,
                    null, false));
        }
    }

    private Node soleConsumer(Node n, Class<? extends Op> kind) {
        List<Node> cs = consumers.getOrDefault(n.name(), List.of());
        return cs.size() == 1 && kind.isInstance(cs.get(0).op()) && n != graph.output() ? cs.get(0) : null;
    }

    private int output(Node n) {
        int id = newTensor(n.name(), n.shape());
        layerTensors.put(n.name(), id);
        return id;
    }

    private int tensorFor(Node n) {
        Integer id = layerTensors.get(n.name());
        if (id == null) {
            throw new IllegalStateException("layer " + n.name() + " used before it was lowered");
        }
        return id;
    }

    private int newTensor(String name, Shape shape) {
        int id = tensors.size();
        tensors.add(new TensorSpec(id, name, shape, TensorSpec.DataType.FLOAT32, TensorSpec.Layout.NHWC, -1, null));
        return id;
    }

    /** Lifetimes from the step order, then arena offsets. A slice lives and is placed with its parent. */
    private List<TensorSpec> place(Set<Integer> kept) {
        int n = tensors.size();
        int[] first = new int[n];
        int[] last = new int[n];
        first[0] = -1;
        last[0] = -1;
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            first[step.output()] = s;
            last[step.output()] = Math.max(last[step.output()], s);
            for (int in : step.inputs()) {
                last[in] = Math.max(last[in], s);
            }
        }
        if (concurrentBranches) {
            for (Branches.Block b : Branches.outermost(Branches.of(steps, 0))) {
                int start = b.branches().stream().mapToInt(br -> br.get(0)).min().orElseThrow();
                // the block's output too: an executor may copy each part into it as soon as its branch ends
                List<Integer> live = new ArrayList<>(List.of(b.input(), steps.get(b.concatStep()).output()));
                b.branches().forEach(br -> br.forEach(st -> live.add(steps.get(st).output())));
                for (int t : live) {
                    first[t] = Math.min(first[t], start);
                    last[t] = Math.max(last[t], b.concatStep());
                }
            }
        }
        TensorSpec.Slice[] slices = concats == ConcatPlacement.IN_PLACE ? slices(kept) : new TensorSpec.Slice[n];
        for (int t = 0; t < n; t++) {
            if (slices[t] != null) {
                // the parent is written from its first branch's step on
                int p = slices[t].parent();
                first[p] = Math.min(first[p], first[t]);
                last[p] = Math.max(last[p], last[t]);
            }
        }
        List<ArenaAllocator.Interval> intervals = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            if (slices[t] == null) {
                int end = kept.contains(t) ? steps.size() : last[t];
                intervals.add(new ArenaAllocator.Interval(t, tensors.get(t).elements(), first[t], end));
                owners.add(t);
            }
        }
        long[] offsets = ArenaAllocator.place(intervals);
        long[] byTensor = new long[n];
        for (int i = 0; i < owners.size(); i++) {
            byTensor[owners.get(i)] = offsets[i];
        }
        List<TensorSpec> placed = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            long offset = slices[t] == null ? byTensor[t] : byTensor[slices[t].parent()];
            placed.add(tensors.get(t).at(offset, slices[t]));
        }
        return placed;
    }

    /**
     * Which tensors become channel slices of a concatenation's output (resolved to the outermost, for mixed9's
     * nested concatenations): the parts of a Concat that only it reads, that are not kept, and that a convolution,
     * a pooling or a concatenation writes (the steps whose oneDNN primitives take a strided destination; the
     * faithful plan's ReLU, whose source and destination must match, keeps its own tensor and is copied).
     */
    private TensorSpec.Slice[] slices(Set<Integer> kept) {
        int n = tensors.size();
        int[] readers = new int[n];
        boolean[] written = new boolean[n];
        for (Step s : steps) {
            s.inputs().forEach(i -> readers[i]++);
            written[s.output()] = s instanceof Step.Conv || s instanceof Step.Pool || s instanceof Step.Concat;
        }
        TensorSpec.Slice[] direct = new TensorSpec.Slice[n];
        for (Step s : steps) {
            if (s instanceof Step.Concat c && c.inputs().stream().allMatch(i -> readers[i] == 1 && written[i]
                    && !kept.contains(i) && c.inputs().indexOf(i) == c.inputs().lastIndexOf(i))) {
                int offset = 0;
                for (int i : c.inputs()) {
                    direct[i] = new TensorSpec.Slice(c.output(), offset);
                    offset += tensors.get(i).shape().channels();
                }
            }
        }
        TensorSpec.Slice[] resolved = new TensorSpec.Slice[n];
        for (int t = 0; t < n; t++) {
            TensorSpec.Slice s = direct[t];
            while (s != null && direct[s.parent()] != null) {
                TensorSpec.Slice up = direct[s.parent()];
                s = new TensorSpec.Slice(up.parent(), up.channelOffset() + s.channelOffset());
            }
            resolved[t] = s;
        }
        return resolved;
    }

    private static long arenaSize(List<TensorSpec> placed) {
        long max = 0;
        for (TensorSpec t : placed) {
            max = Math.max(max, t.offset() + t.elements());
        }
        return ArenaAllocator.align(max);
    }
}
