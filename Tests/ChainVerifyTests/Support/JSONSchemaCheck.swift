import Foundation

/// The JSON Schema validator of Debian's python3-jsonschema, over docs/report.schema.json.
enum JSONSchemaCheck {
    /// Validates `json` against docs/report.schema.json; returns the problem, empty when valid.
    static func problems(_ json: String) throws -> String {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)), key=str)
            for e in errors: print(list(e.absolute_path), e.message)
            sys.exit(1 if errors else 0)
            """
        let r = try CommandRunner.run(
            "/usr/bin/env",
            [
                "python3", "-c", script,
                TestEnvironment.file("docs/report.schema.json").path,
            ], stdin: json)
        return r.exitCode == 0 ? "" : r.stdout + r.stderr
    }
}
