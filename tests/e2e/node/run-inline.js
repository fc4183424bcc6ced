// Runs a compiled TypeScript Pulumi program as an Automation API inline program, with the real CLI.
//
// The Node.js language host (pulumi-language-nodejs) cannot be built here: its Go module is refused by
// the module proxy. An inline program needs only the CLI: this process serves the program.
//   node run-inline.js <work dir> <pulumi root> <stack> <config JSON> preview|up
// Prints one JSON line: the change summary, and the outputs after an up.
"use strict";
const path = require("path");
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");

async function main() {
    const [workDir, pulumiRoot, stackName, configJson, operation] = process.argv.slice(2);
    const pulumiCommand = await PulumiCommand.get({ root: pulumiRoot, skipVersionCheck: true });
    const program = async () => ({ ...require(path.join(workDir, "bin", "index.js")) });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, projectName: "irsa-typescript-consumer", program },
        { workDir, pulumiCommand, envVars: process.env },
    );
    const config = JSON.parse(configJson);
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }])));
    if (operation === "preview") {
        const result = await stack.preview();
        console.log(JSON.stringify({ summary: result.changeSummary }));
    } else {
        const result = await stack.up();
        const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
        console.log(JSON.stringify({ summary: result.summary.resourceChanges, outputs }));
    }
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
});
