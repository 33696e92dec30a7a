/** Test process environment: the SDK's notice about Node 20 is known (Lambda runs Node 22) and only noise here. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
