package dev.streamtune.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Prints which DJL paths work with the libtorch this process loaded: creating arrays from Java
 * data, scalar operators, autograd, and both ways of reading values back. Run it first on a new
 * GPU node ({@code deploy/gpu/run-peft.sh --probe}); exits 1 when training cannot work.
 */
public final class TorchProbe {
    private TorchProbe() {
    }

    public static void main(String[] args) {
        System.out.println("torch-compat shim: " + TorchCompat.loadIfConfigured());
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("engine " + engine.getVersion() + ", gpus " + engine.getGpuCount() + ", default device "
                + engine.defaultDevice());
        boolean required = true;
        try (NDManager m = NDManager.newBaseManager(engine.defaultDevice())) {
            NDArray x = m.arange(6f).reshape(2, 3);
            required &= check("arange on " + x.getDevice(), x::getShape);
            required &= check("create from float[]", () -> m.create(new float[] {1, 2, 3}).getShape());
            required &= check("scalar mul", () -> x.mul(2f).getShape());
            required &= check("HostReadback.floats", () -> Arrays.toString(HostReadback.floats(x.mul(2f))));
            required &= check("HostReadback.longs(argMax)", () -> Arrays.toString(HostReadback.longs(x.argMax(1))));
            check("DJL toFloatArray (not used on a GPU)", () -> Arrays.toString(x.mul(2f).toFloatArray()));
            required &= check("autograd", () -> {
                NDArray w = m.create(new float[] {1, 2, 3}, new Shape(3, 1));
                w.setRequiresGradient(true);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray loss = x.matMul(w).sum();
                    collector.backward(loss);
                    return "loss " + HostReadback.scalar(loss) + ", gradient "
                            + Arrays.toString(HostReadback.floats(w.getGradient()));
                }
            });
        }
        System.out.println(required ? "training paths work" : "a path training needs fails");
        System.exit(required ? 0 : 1);
    }

    private static boolean check(String name, Supplier<Object> step) {
        try {
            System.out.println("OK   " + name + ": " + step.get());
            return true;
        } catch (RuntimeException e) {
            System.out.println("FAIL " + name + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return false;
        }
    }
}
