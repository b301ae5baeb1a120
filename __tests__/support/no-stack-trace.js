// jest moduleNameMapper target (jest.config.js) for the internal stack-trace modules of cdktf and constructs: cdktf
// captures a whole stack trace for every token it creates (references, lazy values, lists), kept only for the
// message of an error about that token, and under jest each capture went through jest's source-mapping stack
// formatter: with the garbage it made, about a tenth of the unit suite's CPU. The program's synth skips the
// formatting its own way (assembly/synthesize.ts). Should a new cdktf lay its files out differently, the mapping
// stops matching and the tests only get slower.
exports.captureStackTrace = () => [];
