package dev.streamtune.model.backbone;

/**
 * Service-provider interface for backbones: a jar that ships a network's tokenizer and ONNX file
 * adds one implementation and lists it in
 * {@code META-INF/services/dev.streamtune.model.backbone.BackboneProvider}.
 */
public interface BackboneProvider {

    /** The descriptor of the backbone this provider ships. */
    Backbone backbone();
}
