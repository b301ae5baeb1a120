/**
 * An AWS region name: `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`. The one pattern for regions in this project
 * (config validates every region field with it; constructs that take a region check it only when it is a literal).
 */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
