package dev.inception.gpu;

import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cuDNN's forward-algorithm candidates for one convolution geometry, best first, remembered for the life of the
 * process. cudnnFind runs every algorithm (seconds over InceptionV3's 94 convolutions) but InceptionV3 has only
 * about 43 distinct geometries, and an engine opened twice on one device asks the same questions twice; the
 * answers do not change within a process.
 */
final class ConvAlgorithms {

    /** One candidate as cuDNN reported it: an algorithm and the math type it was measured with (cudnnMathType_t). */
    record Candidate(int algo, int mathType, long workspaceBytes, float milliseconds) {
    }

    /** The math type of a candidate whose math type is unknown (not reported, or the unmeasured last resort). */
    static final int AS_ASKED = -1;

    private static final Map<String, List<Candidate>> CACHE = new ConcurrentHashMap<>();
    private static final int REQUESTED = 8;

    private ConvAlgorithms() {
    }

    /**
     * Measured by cudnnFindConvolutionForwardAlgorithm (it runs them), once per key.
     *
     * @param key     device, precision and geometry (the batch included): everything the answer depends on
     * @return the candidates cuDNN accepted (status success), best first; never empty (IMPLICIT_GEMM, which needs
     *         no workspace and supports every geometry, ends the list, with the descriptor's math type)
     */
    static List<Candidate> candidates(String key, cudnnHandle h, cudnnTensorDescriptor xd, cudnnFilterDescriptor fd,
                                      cudnnConvolutionDescriptor cd, cudnnTensorDescriptor yd, String step) {
        List<Candidate> cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        List<Candidate> fresh = query(h, xd, fd, cd, yd, step);
        CACHE.put(key, fresh);
        return fresh;
    }

    private static List<Candidate> query(cudnnHandle h, cudnnTensorDescriptor xd, cudnnFilterDescriptor fd,
                                         cudnnConvolutionDescriptor cd, cudnnTensorDescriptor yd, String step) {
        int[] returned = new int[1];
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[REQUESTED];
        for (int i = 0; i < REQUESTED; i++) {
            perf[i] = new cudnnConvolutionFwdAlgoPerf();
            // JCudnn 11.7 copies algo, status, time, memory and determinism back from cudnnConvolutionFwdAlgoPerf_t,
            // not mathType (its releaseNative omits it, unlike the backward-filter one): unreported stays "as asked"
            perf[i].mathType = AS_ASKED;
        }
        String call = "cudnnFindConvolutionForwardAlgorithm";
        int status;
        try {
            status = JCudnn.cudnnFindConvolutionForwardAlgorithm(h, xd, fd, cd, yd, REQUESTED, returned, perf);
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            // JCudnn converts the result structs itself, and reports some failed calls as "insufficient size"
            throw new GpuException(step + ": " + call + " failed inside JCudnn's result conversion ("
                    + e.getMessage() + "); returned count " + returned[0] + " of " + REQUESTED, e);
        }
        CudaCalls.cudnn(status, step + ": " + call);
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < Math.min(returned[0], REQUESTED); i++) {
            if (perf[i].status == 0) {
                out.add(new Candidate(perf[i].algo, perf[i].mathType, perf[i].memory, perf[i].time));
            }
        }
        if (out.stream().noneMatch(c -> c.algo() == 0 && c.workspaceBytes() == 0)) {
            out.add(new Candidate(0, AS_ASKED, 0, -1f));
        }
        return List.copyOf(out);
    }
}
