/** The variables every deployed function has (set by the stack and by Lambda); tests reading an environment start here. */
export const DEPLOYED_ENV = {
  JIT_TABLE_NAME: 'ontap-jit-requests',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:ontap-jit-workflow',
  AWS_REGION: 'us-east-1',
} as const;
