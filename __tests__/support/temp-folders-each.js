// setupFilesAfterEnv entry of __tests__/support/temp-folders.js (needs afterAll, so after the environment).
require('./temp-folders').useWorkerTemp();
