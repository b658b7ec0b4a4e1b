/**
 * The evaluator as a Kafka service, built on the pure core of {@code dev.streamtune.evaluator}.
 *
 * <ul>
 *   <li>{@link dev.streamtune.evaluator.service.EvaluatorService} ({@link dev.streamtune.evaluator.service.EvaluatorConfig};
 *       started by {@code streamtune serve evaluator}) does the Kafka I/O on one thread and publishes each
 *       poll round's verdicts and candidate offsets in one transaction.
 *   <li>{@link dev.streamtune.evaluator.service.EvaluationState} makes every decision without Kafka: materialized
 *       held-out sets (pooled vectors in {@link dev.streamtune.evaluator.service.FeatureStore}, texts in
 *       {@link dev.streamtune.evaluator.service.ExampleStore}), champions, waiting candidates, prequential accuracy.
 *       {@link dev.streamtune.evaluator.service.Scoring} predicts vectors for head-only versions and texts, in
 *       batches, for versions of techniques that adapt the encoder.
 *   <li>{@link dev.streamtune.evaluator.service.Rollback} re-promotes an earlier version.
 * </ul>
 */
package dev.streamtune.evaluator.service;
