# `qtrain export` options: the float jet tagger trained for one epoch, exported
# in io_stream with the Resource strategy, reuse factor 4, another part and
# clock, and C-simulated: every output equals the emulator's, and the config
# written beside the project carries the overrides.  An invalid reuse factor
# is refused naming the layer and the nearest valid values.
set(EXPORT_OPTIONS_CLI_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_export_options)
add_test(NAME cli_export_options COMMAND sh -c
  "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
   printf '{\"name\": \"e\", \"model\": \"%s\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 5000, \"seed\": 5}, \"loss\": {\"kind\": \"categorical_crossentropy\"}, \"optimizer\": {\"kind\": \"adam\", \"lr\": 0.003}, \"batch_size\": 128, \"epochs\": 1, \"seed\": 1}' \"$1\" > \"$2/run.json\"
   \"$0\" --threads 1 train \"$2/run.json\" --out \"$2/run\" > /dev/null
   \"$0\" export \"$2/run\" -o \"$2/prj\" --io io_stream --strategy Resource --reuse 4 --part xcku115-flvb2104-2-i --clock 4
   \"$0\" csim \"$2/prj\"
   grep -q '\"IOType\": \"io_stream\"' \"$2/prj/hls4ml_config.json\"
   grep -q 'xcku115-flvb2104-2-i' \"$2/prj/project.tcl\"
   grep -q 'DenseResource_rf_leq_nin' \"$2/prj/firmware/parameters.h\"
   if \"$0\" export \"$2/run\" -o \"$2/bad\" --reuse 5 2> \"$2/err\"; then exit 1; fi; cat \"$2/err\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/float.json ${EXPORT_OPTIONS_CLI_DIR})
set_tests_properties(cli_export_options PROPERTIES PASS_REGULAR_EXPRESSION
  "1000 samples, 5000 outputs: 0 mismatching the emulator, largest absolute difference 0.*layer 'fc1' \\(Dense\\): reuse factor 5 .*nearest valid: 4 or 8")
