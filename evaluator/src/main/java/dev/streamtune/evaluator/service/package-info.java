/**
 * The evaluator as a Kafka service, built on the pure core of {@code dev.streamtune.evaluator}.
 *
 * <ul>
 *   <li>{@link dev.streamtune.evaluator.service.EvaluatorService} ({@link dev.streamtune.evaluator.service.EvaluatorConfig},
 *       {@link dev.streamtune.evaluator.service.EvaluatorMain}) does the Kafka I/O on one thread and publishes each
 *       poll round's verdicts and candidate offsets in one transaction.
 *   <li>{@link dev.streamtune.evaluator.service.EvaluationState} makes every decision without Kafka: materialized
 *       held-out sets ({@link dev.streamtune.evaluator.service.FeatureStore}), champions, waiting candidates,
 *       prequential accuracy.
 *   <li>{@link dev.streamtune.evaluator.service.Rollback} re-promotes an earlier version.
 * </ul>
 */
package dev.streamtune.evaluator.service;
