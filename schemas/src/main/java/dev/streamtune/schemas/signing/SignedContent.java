package dev.streamtune.schemas.signing;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact bytes a signature covers: a domain tag, then every signed field in a fixed order, each length-prefixed
 * (strings as UTF-8 with a 4-byte length, numbers big-endian, absent values as a 0 presence byte, maps sorted by
 * key), so two different records never share content and the bytes do not depend on Avro's map order or on fields a
 * later schema version adds.
 *
 * <p>A {@link ModelVersion} is covered in full except where its delta lies ({@code delta.inline}, {@code delta.uri}):
 * the delta's format, size and sha256 are covered, and every loader checks the bytes against that sha256. A
 * {@link ModelUpdate} is covered in full (task, action, version, previous version, reason, metrics, timestamp) plus
 * its model's content.
 */
public final class SignedContent {
    static final String VERSION_DOMAIN = "streamtune.model-version.v1";
    static final String UPDATE_DOMAIN = "streamtune.model-update.v1";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);

    private SignedContent() {
    }

    public static byte[] of(ModelVersion version) {
        SignedContent c = new SignedContent();
        c.string(VERSION_DOMAIN);
        c.version(version);
        return c.out.toByteArray();
    }

    public static byte[] of(ModelUpdate update) {
        SignedContent c = new SignedContent();
        c.string(UPDATE_DOMAIN);
        c.string(update.getTask());
        c.string(update.getAction() == null ? null : update.getAction().name());
        c.int64(update.getVersion());
        c.nullableInt64(update.getPreviousVersion());
        c.string(update.getReason());
        c.metrics(update.getValidationMetrics());
        c.metrics(update.getTestMetrics());
        c.instant(update.getTimestamp());
        if (update.getModel() == null) {
            c.out.write(0);
        } else {
            c.out.write(1);
            c.version(update.getModel());
        }
        return c.out.toByteArray();
    }

    private void version(ModelVersion v) {
        string(v.getTask());
        int64(v.getVersion());
        nullableInt64(v.getParentVersion());
        string(v.getTechnique());
        stringMap(v.getHyperparameters());
        string(v.getBase() == null ? null : v.getBase().getBackbone());
        string(v.getBase() == null ? null : v.getBase().getSha256());
        List<String> labels = v.getLabels();
        int32(labels == null ? -1 : labels.size());
        if (labels != null) {
            labels.forEach(this::string);
        }
        string(v.getDelta() == null ? null : v.getDelta().getFormat());
        string(v.getDelta() == null ? null : v.getDelta().getSha256());
        int64(v.getDelta() == null ? -1 : v.getDelta().getSizeBytes());
        int64(v.getTrainableParams());
        ranges(v.getOffsetRanges());
        ranges(v.getCumulativeOffsetRanges());
        int64(v.getExamplesSeen());
        int64(v.getSteps());
        metrics(v.getTrainMetrics());
        int64(v.getWallTimeMs());
        string(v.getDevice());
        string(v.getCodeVersion());
        instant(v.getCreatedAt());
    }

    private void ranges(List<OffsetRange> ranges) {
        int32(ranges == null ? -1 : ranges.size());
        if (ranges != null) {
            for (OffsetRange r : ranges) {
                string(r.getTopic());
                int32(r.getPartition());
                int64(r.getFromOffset());
                int64(r.getUntilOffset());
            }
        }
    }

    private void metrics(Map<String, Double> metrics) {
        if (metrics == null) {
            int32(-1);
            return;
        }
        TreeMap<String, Double> sorted = new TreeMap<>(metrics);
        int32(sorted.size());
        sorted.forEach((k, v) -> {
            string(k);
            int64(v == null ? 0L : Double.doubleToLongBits(v));
        });
    }

    private void stringMap(Map<String, String> map) {
        if (map == null) {
            int32(-1);
            return;
        }
        TreeMap<String, String> sorted = new TreeMap<>(map);
        int32(sorted.size());
        sorted.forEach((k, v) -> {
            string(k);
            string(v);
        });
    }

    private void instant(Instant t) {
        nullableInt64(t == null ? null : t.toEpochMilli());
    }

    private void string(String s) {
        if (s == null) {
            int32(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        out.writeBytes(b);
    }

    private void nullableInt64(Long v) {
        if (v == null) {
            out.write(0);
        } else {
            out.write(1);
            int64(v);
        }
    }

    private void int32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
    }

    private void int64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    }
}
