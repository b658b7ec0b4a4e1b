/**
 * Ed25519 signatures on model versions, so that a subscriber serves only what a trusted evaluator promoted and an
 * evaluator scores only what a trusted trainer produced.
 *
 * <p>The trainer signs each {@link dev.streamtune.avro.ModelVersion} it publishes on {@code models.candidates}; the
 * evaluator verifies it against the trainers' public keys before scoring, and signs each
 * {@link dev.streamtune.avro.ModelUpdate} it publishes on {@code models.updates}; subscribers verify that against the
 * evaluators' public keys before loading. The signature covers {@link SignedContent}: every field of the record that
 * says what the model is, where it came from and what the update does, including the delta's sha256 (so a delta sent
 * by URI is covered too), and nothing that only says where the bytes are. Digests travelling in the same event prove
 * nothing on their own: anyone who can write to the topic can recompute them; only the private key signs.
 *
 * <p>Keys are PEM files ({@link KeyFiles}): a private key file holds the PKCS#8 private key and its X.509 public key,
 * a {@code .pub} file holds the public key alone, readable by {@code openssl pkey -pubin}.
 */
package dev.streamtune.schemas.signing;
