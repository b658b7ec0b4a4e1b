/**
 * The evaluator's pure core: what a candidate model scores and whether it may replace its task's champion.
 *
 * <ul>
 *   <li>{@link dev.streamtune.evaluator.ClassificationMetrics} scores probability rows against true labels
 *       (scikit-learn's conventions) and turns the result into a {@code MetricsEvent}.
 *   <li>{@link dev.streamtune.evaluator.McNemar} is the exact paired test on the examples two versions disagree on.
 *   <li>{@link dev.streamtune.evaluator.PromotionGate}, configured by {@link dev.streamtune.evaluator.GateConfig},
 *       needs both a macro-F1 margin and a significant McNemar test (against the champion, or for a task's first
 *       version against the {@link dev.streamtune.evaluator.MajorityBaseline}), and returns a
 *       {@link dev.streamtune.evaluator.GateDecision} whose reason carries every number.
 *   <li>{@link dev.streamtune.evaluator.PrequentialAccuracy} is test-then-train accuracy per task, the early
 *       warning for drift.
 * </ul>
 * Nothing here touches Kafka or a model; the services that consume candidates and publish updates build on it.
 */
package dev.streamtune.evaluator;
