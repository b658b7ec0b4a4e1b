package dev.streamtune.testkit;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Compares two values of one record type field by field, for tests of copy-with methods. */
public final class RecordFields {
    private RecordFields() {
    }

    /** The names of the components whose values differ between {@code a} and {@code b}, in declaration order. */
    public static <R extends Record> List<String> changed(R a, R b) {
        if (a.getClass() != b.getClass()) {
            throw new IllegalArgumentException("not the same record type: " + a.getClass() + " vs " + b.getClass());
        }
        List<String> names = new ArrayList<>();
        for (RecordComponent component : a.getClass().getRecordComponents()) {
            try {
                component.getAccessor().setAccessible(true);
                if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
                    names.add(component.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + a.getClass().getSimpleName() + "." + component.getName(), e);
            }
        }
        return names;
    }
}
