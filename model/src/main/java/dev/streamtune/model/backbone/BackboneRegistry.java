package dev.streamtune.model.backbone;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The backbones discoverable by id, found through {@link ServiceLoader} on {@link BackboneProvider}. */
public final class BackboneRegistry {

    private final Map<String, Backbone> byId;

    private BackboneRegistry(Map<String, Backbone> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    /** The registry of every provider visible to this module's class loader (discovered once). */
    public static BackboneRegistry standard() {
        return Standard.REGISTRY;
    }

    /** Discovers the providers visible to {@code loader}. Two providers claiming one id is an error. */
    public static BackboneRegistry discover(ClassLoader loader) {
        List<BackboneProvider> providers = new ArrayList<>();
        ServiceLoader.load(BackboneProvider.class, loader).forEach(providers::add);
        return of(providers);
    }

    /** A registry of exactly these providers (tests, or a host that wires its own). */
    public static BackboneRegistry of(List<? extends BackboneProvider> providers) {
        Map<String, Backbone> byId = new LinkedHashMap<>();
        Map<String, String> providerOf = new LinkedHashMap<>();
        for (BackboneProvider provider : providers) {
            Backbone backbone = provider.backbone();
            String previous = providerOf.putIfAbsent(backbone.id(), provider.getClass().getName());
            if (previous != null) {
                throw new IllegalStateException("backbone id '" + backbone.id() + "' is provided twice: by "
                        + previous + " and by " + provider.getClass().getName());
            }
            byId.put(backbone.id(), backbone);
        }
        return new BackboneRegistry(byId);
    }

    /** The backbone with this id, or an error that lists the ids that do exist. */
    public Backbone byId(String id) {
        Backbone backbone = id == null ? null : byId.get(id);
        if (backbone == null) {
            throw new IllegalArgumentException("unknown backbone id " + (id == null ? "null" : "'" + id + "'")
                    + "; known ids: " + ids());
        }
        return backbone;
    }

    /** Known ids in discovery order. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    private static final class Standard {
        static final BackboneRegistry REGISTRY = discover(BackboneRegistry.class.getClassLoader());
    }
}
