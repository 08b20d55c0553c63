# qtrain import-keras: a Keras / QKeras model as a run directory.  Models from
# hls4ml's examples in ../shared/models/keras beside the project; scratch output under the build tree.
set(KERAS_MODELS ${PROJECT_SOURCE_DIR}/../shared/models/keras)
set(IMPORT_KERAS_OUT ${CMAKE_CURRENT_BINARY_DIR}/import_keras)

# PASS_REGULAR_EXPRESSION ignores the exit status, so the scripts print
# status-ok after checking it.

# Import, then read the run directory back: info on its model.json (Keras'
# 4389 parameters) and save-weights through its checkpoint.
add_test(NAME cli_import_keras COMMAND sh -c "rm -rf \"$1\" && \"$0\" import-keras \"$2.json\" \"$2_weights.h5\" -o \"$1/run\" && \"$0\" info \"$1/run/model.json\" && \"$0\" save-weights \"$1/run\" -o \"$1/w.h5\""
         $<TARGET_FILE:qtrain_cli> ${IMPORT_KERAS_OUT}/ok ${KERAS_MODELS}/KERAS_3layer)
set_tests_properties(cli_import_keras PROPERTIES PASS_REGULAR_EXPRESSION
                     "imported model_1 \\(4 layers, 4389 parameters\\) into .*Total params: 4389.*wrote .*w.h5")

# A run config becomes run.json; an existing run directory is kept without --force.
add_test(NAME cli_import_keras_run_config COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && echo '{\"name\": \"q3\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 1000}}' > \"$1/run.json\" && \"$0\" import-keras \"$2.json\" \"$2_weights.h5\" -o \"$1/run\" --run-config \"$1/run.json\" && grep -q '\"model\": \"model.json\"' \"$1/run/run.json\" && \"$0\" import-keras \"$2.json\" \"$2_weights.h5\" -o \"$1/run\"; test $? -eq 2 && \"$0\" import-keras \"$2.json\" \"$2_weights.h5\" -o \"$1/run\" --force && echo status-ok"
         $<TARGET_FILE:qtrain_cli> ${IMPORT_KERAS_OUT}/config ${KERAS_MODELS}/qkeras_3layer)
set_tests_properties(cli_import_keras_run_config PROPERTIES PASS_REGULAR_EXPRESSION
                     "exists \\(use --force to replace it\\).*imported sequential.*status-ok")

# An unsupported layer class: status 2, one line naming the layer and its class.
add_test(NAME cli_import_keras_unknown_layer COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && sed '0,/\"Dense\"/s//\"LSTM\"/' \"$2.json\" > \"$1/bad.json\" && \"$0\" import-keras \"$1/bad.json\" \"$2_weights.h5\" -o \"$1/run\" 2>&1; test $? -eq 2 && test ! -e \"$1/run\" && echo status-ok"
         $<TARGET_FILE:qtrain_cli> ${IMPORT_KERAS_OUT}/unknown ${KERAS_MODELS}/KERAS_3layer)
set_tests_properties(cli_import_keras_unknown_layer PROPERTIES PASS_REGULAR_EXPRESSION
                     "^qtrain: [^\n]*bad.json: layer 'fc1_relu' \\(LSTM\\): unsupported layer class\nstatus-ok\n$")

# Weights that are not HDF5: status 1, the file named; nothing written.
add_test(NAME cli_import_keras_corrupt_weights COMMAND sh -c "rm -rf \"$1\" && \"$0\" import-keras \"$2.json\" \"$2.json\" -o \"$1/run\" 2>&1; test $? -eq 1 && test ! -e \"$1/run\" && echo status-ok"
         $<TARGET_FILE:qtrain_cli> ${IMPORT_KERAS_OUT}/corrupt ${KERAS_MODELS}/KERAS_3layer)
set_tests_properties(cli_import_keras_corrupt_weights PROPERTIES PASS_REGULAR_EXPRESSION
                     "KERAS_3layer.json: not an HDF5 file\nstatus-ok\n$")
