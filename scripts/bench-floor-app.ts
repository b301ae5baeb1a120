/**
 * The floor for `npm run bench`: a minimal cdktf app with one resource, precompiled like the real one, so the
 * bench shows how much of a synth is cdktf and Node start-up rather than our stacks.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { App, TerraformStack } from 'cdktf';

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
const stack = new TerraformStack(app, 'floor');
new AwsProvider(stack, 'Aws', { region: 'eu-west-1' });
new SsmParameter(stack, 'Parameter', { name: '/floor', type: 'String', value: 'floor' });
app.synth();
