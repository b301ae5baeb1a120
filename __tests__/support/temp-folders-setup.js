// globalSetup entry of __tests__/support/temp-folders.js.
module.exports = require('./temp-folders').setup;
