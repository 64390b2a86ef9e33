package io.sitepair.ops.status;

/**
 * Something about the pair that needs an operator, in words.
 *
 * @param toDo what the operator can do about it; null when {@code what} already says (a security warning)
 */
public record Problem(String what, String toDo) {}
