package dev.streamtune.evaluator.service;

/** Where a candidate was read, so that its offset is committed only once it has been judged. */
public record CandidatePosition(String topic, int partition, long offset) {
}
