package dev.streamtune.model.technique;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds {@link Technique} plugins on the class path. */
public final class Techniques {
    private Techniques() {
    }

    public static List<Technique> available() {
        List<Technique> found = new ArrayList<>();
        ServiceLoader.load(Technique.class).forEach(found::add);
        return found;
    }

    public static Technique byId(String id) {
        List<Technique> found = available();
        for (Technique technique : found) {
            if (technique.id().equals(id)) {
                return technique;
            }
        }
        throw new IllegalArgumentException("unknown technique '" + id + "'; available: "
                + found.stream().map(Technique::id).toList());
    }
}
