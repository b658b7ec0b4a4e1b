package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench faults} short, on every CI run: three broker processes, two ingest and two featurizer processes, the
 * trainer and the evaluator, each killed with SIGKILL once (five kills from seed 7) while a sample of spam streams in;
 * then the topics must hold every acknowledged example exactly once, one feature vector each, every train record in
 * exactly one version and a consistent champion chain.
 */
class FaultsIT {
    @Test
    void aKillOfEveryKindLosesAndDoublesNothing(@TempDir Path data) throws Exception {
        Path json = data.resolve("faults.json");
        int exit = new CommandLine(new Streamtune()).execute("bench", "faults", "--minutes", "3", "--seed", "7",
                "--settle-minutes", "6", "--data-dir", data.resolve("cluster").toString(), "--json", json.toString());
        JsonNode out = new ObjectMapper().readTree(json.toFile());
        assertThat(out.get("kills").asInt()).isEqualTo(5);
        for (String kind : new String[] {"broker", "ingest", "featurizer", "trainer", "evaluator"}) {
            assertThat(out.get("kills_by_kind").path(kind).asInt()).as(kind).isEqualTo(1);
        }
        assertThat(out.get("checks").get("acknowledged").asLong()).as("examples acknowledged").isGreaterThan(500);
        assertThat(out.get("lost").asLong()).as(out.toString()).isZero();
        assertThat(out.get("duplicates").asLong()).as(out.toString()).isZero();
        assertThat(out.get("versions").asInt()).as("versions published through the faults").isGreaterThan(1);
        assertThat(exit).isZero();
    }
}
