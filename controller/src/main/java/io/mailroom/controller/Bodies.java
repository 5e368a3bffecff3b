package io.mailroom.controller;

import io.mailroom.common.InvalidInputException;

/** Checks of request bodies that JSON binding cannot express. */
final class Bodies {
    private Bodies() {}

    static <T> T required(T body) {
        if (body == null) {
            throw new InvalidInputException("request body (JSON) is required");
        }
        return body;
    }

    static String field(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("field \"" + name + "\" is required");
        }
        return value;
    }
}
