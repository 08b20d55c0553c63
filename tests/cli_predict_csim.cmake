# `qtrain predict --csim PRJ`: the exported project's firmware built as a
# shared library runs the whole test split (400 events) of a float jet
# tagger trained for one epoch, and its predictions file is byte for byte
# the emulator's (both print every output with 17 significant digits), for
# an io_parallel and an io_stream project.
# A directory that is not a project is an error naming it.
set(PREDICT_CSIM_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_predict_csim)
add_test(NAME cli_predict_csim COMMAND sh -c
  "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
   printf '{\"name\": \"p\", \"model\": \"%s\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 2000, \"seed\": 3}, \"loss\": {\"kind\": \"categorical_crossentropy\"}, \"optimizer\": {\"kind\": \"adam\", \"lr\": 0.003}, \"batch_size\": 128, \"epochs\": 1, \"seed\": 2}' \"$1\" > \"$2/run.json\"
   \"$0\" --threads 1 train \"$2/run.json\" --out \"$2/run\" > /dev/null
   \"$0\" export \"$2/run\" -o \"$2/prj\" --tb-samples 10 > /dev/null
   \"$0\" predict \"$2/run\" --csim \"$2/prj\" -o \"$2/csim.csv\"
   \"$0\" predict \"$2/run\" --emulate -o \"$2/emulated.csv\" > /dev/null
   cmp \"$2/csim.csv\" \"$2/emulated.csv\" && echo identical
   \"$0\" export \"$2/run\" -o \"$2/prj_stream\" --io io_stream --tb-samples 10 > /dev/null
   \"$0\" predict \"$2/run\" --csim \"$2/prj_stream\" -o \"$2/stream.csv\" > /dev/null
   cmp \"$2/stream.csv\" \"$2/emulated.csv\" && echo stream identical
   if \"$0\" predict \"$2/run\" --csim \"$1\" 2> \"$2/err\"; then exit 1; fi; cat \"$2/err\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json ${PREDICT_CSIM_DIR})
set_tests_properties(cli_predict_csim PROPERTIES PASS_REGULAR_EXPRESSION
  "400 events through the C model .*identical.*stream identical.*q6.json: not an exported project")
