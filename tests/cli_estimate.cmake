# `qtrain estimate`: the 6-bit jet tagger spec on a VU9P with the QKeras
# paper's Table 3 row printed beside the totals; a trained run and the
# project exported from it give the same totals (the project is read back
# from its files), and --io another than the project's is refused; bad
# input fails with the path or the reason named.
add_test(NAME cli_estimate_q6_paper COMMAND qtrain_cli estimate ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json
  --part xcvu9p-flgb2104-2-e --paper Q6)
set_tests_properties(cli_estimate_q6_paper PROPERTIES PASS_REGULAR_EXPRESSION
  "fc1 +Dense .*softmax +Softmax .*\ntotal .*latency [0-9]+ cycles = [0-9.]+ ns, II 1 cycle.*utilisation of xcvu9p.*QKeras paper Table 3, Q6.*DSP +[0-9]+ +124 +[-+][0-9.]+%\nLUT +[0-9]+ +39782 .*FF +[0-9]+ +8128 .*cycles +[0-9]+ +11 ")
add_test(NAME cli_estimate_json COMMAND qtrain_cli estimate --json --reuse 4 ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
set_tests_properties(cli_estimate_json PROPERTIES PASS_REGULAR_EXPRESSION "\"ii\": 4,.*\"total\": {.*\"bram_18k\": [0-9]+,.*\"ii\": 4")

set(ESTIMATE_CLI_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_estimate)
add_test(NAME cli_estimate_project_matches_run COMMAND sh -c
  "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
   printf '{\"name\": \"e\", \"model\": \"%s\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 1000, \"seed\": 5}, \"loss\": {\"kind\": \"categorical_crossentropy\"}, \"optimizer\": {\"kind\": \"adam\", \"lr\": 0.003}, \"batch_size\": 128, \"epochs\": 1, \"seed\": 1}' \"$1\" > \"$2/run.json\"
   \"$0\" --threads 1 train \"$2/run.json\" --out \"$2/run\" > /dev/null
   \"$0\" export \"$2/run\" -o \"$2/prj\" --tb-samples 0 > /dev/null
   \"$0\" estimate \"$2/run\" | grep '^total' > \"$2/run.txt\"
   \"$0\" estimate \"$2/prj\" | grep '^total' > \"$2/prj.txt\"
   status=0; \"$0\" estimate --io io_stream \"$2/prj\" 2> \"$2/io.txt\" || status=$?
   test $status -eq 2; grep -q 'exported for io_parallel' \"$2/io.txt\"
   cat \"$2/prj.txt\"; cmp \"$2/run.txt\" \"$2/prj.txt\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/float.json ${ESTIMATE_CLI_DIR})
set_tests_properties(cli_estimate_project_matches_run PROPERTIES PASS_REGULAR_EXPRESSION "^total +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +1\n$")

# Bad input: a missing path is named (non-zero status); --paper on a model that
# is not the jet tagger and --default on a project are refused with status 2.
add_test(NAME cli_estimate_missing_path COMMAND sh -c
  "\"$0\" estimate /nonexistent/prj 2>&1 | grep -q '/nonexistent/prj' && ! \"$0\" estimate /nonexistent/prj"
  $<TARGET_FILE:qtrain_cli>)
add_test(NAME cli_estimate_paper_needs_jet_tagger COMMAND sh -c
  "printf '{\"name\": \"t\", \"input_shape\": [4], \"layers\": [{\"name\": \"fc\", \"type\": \"Dense\", \"units\": 2}]}' > \"$1\"
   \"$0\" estimate --paper BF \"$1\" 2>&1 | grep -q 'not the paper.s jet tagger' && \"$0\" estimate --paper BF \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/cli_estimate_tiny.json)
# --score needs an autoencoder run: on a model spec (no run config) the
# reason is named.
add_test(NAME cli_estimate_score_needs_autoencoder COMMAND sh -c
  "\"$0\" estimate --score io \"$1\" 2>&1 | grep -q 'the io score needs an autoencoder run' && ! \"$0\" estimate --score io \"$1\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
# --io is a what-if decided before the firmware model is built: a 'same'
# convolution estimated with --io io_stream has the layers and the schedule
# of the spec written for io_stream (its padding layer, the padded pixel
# loop's II); the costs depend on the random initial weights of each load.
add_test(NAME cli_estimate_io_what_if COMMAND sh -c
  "set -e
   layers='\"layers\": [{\"name\": \"c\", \"type\": \"Conv2D\", \"filters\": 4, \"kernel_size\": 3, \"padding\": \"same\"}]'
   printf '{\"name\": \"t\", \"input_shape\": [8, 8, 2], %s}' \"$layers\" > \"$1/io_parallel.json\"
   printf '{\"name\": \"t\", \"input_shape\": [8, 8, 2], %s, \"hls\": {\"IOType\": \"io_stream\"}}' \"$layers\" > \"$1/io_stream.json\"
   schedule() { \"$0\" estimate \"$@\" | sed -n -e '/^layer/,/^total/s/ .*//p' -e '/^latency/p'; }
   schedule --io io_stream \"$1/io_parallel.json\" > \"$1/what_if.txt\"
   schedule \"$1/io_stream.json\" > \"$1/written.txt\"
   grep -q '^c_pad$' \"$1/what_if.txt\"; cmp \"$1/what_if.txt\" \"$1/written.txt\""
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR})
