import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { apiMessage } from "../../../src/kube/index.ts";

describe("apiMessage", () => {
  it("gives the Status message of a refusal, with the quoted pod template cut", () => {
    const template = `{"Spec":{"Containers":[${'{"Name":"migrate"},'.repeat(200)}]}}`;
    const body = JSON.stringify({
      kind: "Status",
      message: `Job.batch "db-migrate" is invalid: [spec.template: Invalid value: ${template}: field is immutable]`,
      code: 422,
    });
    const err = new ApiException(
      422,
      `HTTP-Code: 422\nMessage: Unsuccessful\nBody: ${body}`,
      body,
      {},
    );
    expect(apiMessage(err)).toBe(
      'Job.batch "db-migrate" is invalid: [spec.template: Invalid value: {…}: field is immutable]',
    );
  });

  it("cuts a long message and falls back to the error's first line", () => {
    const long = new ApiException(500, "x", JSON.stringify({ message: "a".repeat(1000) }), {});
    expect(apiMessage(long)).toHaveLength(300);
    expect(apiMessage(long).endsWith("…")).toBe(true);
    expect(apiMessage(new Error("connect ECONNREFUSED 127.0.0.1:6443\n  at ..."))).toBe(
      "connect ECONNREFUSED 127.0.0.1:6443",
    );
    expect(apiMessage(new ApiException(500, "HTTP-Code: 500\nBody: <html>", "<html>", {}))).toBe(
      "HTTP-Code: 500",
    );
  });
});
